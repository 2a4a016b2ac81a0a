/**
 * The few libc calls the raw socket engine makes, through `Deno.dlopen`, and
 * the Linux x86_64 constants and struct layouts they need. Linux only.
 *
 * Why libc rather than `Deno.connect`: one event loop of Deno stalls past
 * about 128 operations in flight (docs/tcp-facts.md), which forces a worker
 * per 100 sessions; an epoll loop of our own has no such limit, so one worker
 * per core drives thousands of sessions, and its timestamps are taken right
 * at the system calls.
 *
 * @module
 */

/** The symbols synfin binds. Every call but one is synchronous: the loop is ours. */
const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // Tests only: a listener whose backlog completes thousands of handshakes
  // with nobody accepting (Deno.listen has no backlog option).
  listen: { parameters: ["i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  // The one exception: the scripted sessions' reactor (reactor.ts) shares
  // its thread with timers and messages, so it parks in epoll_wait on
  // Deno's thread pool (a Promise) and is woken through an eventfd.
  epoll_wait_parked: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  // A generator whose loop owns its main thread looks at its stdin this way
  // (no event loop turns to read it): closed means the parent stopped it.
  poll: { parameters: ["buffer", "usize", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The bound library: call `symbols.socket(...)` etc.; read errno with {@link Libc.errno}. */
export interface Libc {
  /** The bound functions. */
  readonly symbols: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
  /** errno of this thread, right after a call that returned -1. */
  errno(): number;
  /** Unloads the library. */
  close(): void;
}

/** Linux x86_64 values of the constants the engine uses. */
export const LINUX = Object.freeze({
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_ERROR: 4,
  SO_LINGER: 13,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  TCP_INFO: 11,
  IP_BIND_ADDRESS_NO_PORT: 24,
  SHUT_WR: 1,
  MSG_NOSIGNAL: 0x4000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLLIN: 0x001,
  EPOLLOUT: 0x004,
  EPOLLERR: 0x008,
  EPOLLHUP: 0x010,
  EPOLLRDHUP: 0x2000,
  EPOLLET: 0x80000000,
  POLLHUP: 0x010,
  POLLERR: 0x008,
  POLLNVAL: 0x020,
  RLIMIT_NOFILE: 7,
  EAGAIN: 11,
  EINPROGRESS: 115,
  EINTR: 4,
  EBADF: 9,
  ECONNREFUSED: 111,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
});

/** errno numbers (Linux) to the names synfin reports. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: "EPERM",
  9: "EBADF",
  4: "EINTR",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  32: "EPIPE",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  105: "ENOBUFS",
  107: "ENOTCONN",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
  115: "EINPROGRESS",
});

/**
 * The name of an errno number, `E<number>` when synfin has no name for it.
 *
 * @example
 * ```ts
 * import { errnoName } from "./libc.ts";
 * console.assert(errnoName(111) === "ECONNREFUSED");
 * console.assert(errnoName(9999) === "E9999");
 * ```
 */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/**
 * Whether this process may and can load libc: Linux, and `--allow-ffi`
 * granted. The reason when not, in one line.
 *
 * @example
 * ```ts
 * import { rawEngineUnavailable } from "./libc.ts";
 * const why = rawEngineUnavailable();
 * console.assert(why === undefined || typeof why === "string");
 * ```
 */
export function rawEngineUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return `the raw engine needs Linux (this is ${Deno.build.os})`;
  if (libcPath() === undefined) return "FFI is not permitted (grant --allow-ffi)";
  return undefined;
}

/**
 * Where glibc's `libc.so.6` lives on the common Linux layouts (Debian and
 * Ubuntu on x86_64 and arm64, Fedora and Arch). A permission set scopes
 * `--allow-ffi` to these paths: Deno checks the exact path given to
 * `Deno.dlopen` (it resolves a bare `libc.so.6` against the working
 * directory once FFI is scoped, so the soname cannot be granted by itself).
 */
export const LIBC_PATHS: readonly string[] = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/usr/lib/libc.so.6",
];

let loadable: string | null | undefined;

/**
 * What to pass to `Deno.dlopen` for libc: the soname when FFI is granted
 * without a scope, else the first of {@link LIBC_PATHS} this process may
 * load and that exists; `undefined` when none.
 *
 * @example
 * ```ts
 * import { libcPath } from "./libc.ts";
 * const path = libcPath();
 * console.assert(path === undefined || path.endsWith("libc.so.6"));
 * ```
 */
export function libcPath(): string | undefined {
  if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") return "libc.so.6";
  if (loadable === undefined) {
    loadable = LIBC_PATHS.find((path) => {
      if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") return false;
      try {
        // Opening is the only existence check that needs no read permission.
        Deno.dlopen(path, { getpid: { parameters: [], result: "i32" } }).close();
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  }
  return loadable ?? undefined;
}

/**
 * Loads libc and binds the engine's calls.
 *
 * @example
 * ```ts
 * import { LINUX, openLibc } from "./libc.ts";
 * const libc = openLibc();
 * const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
 * console.assert(fd >= 0);
 * libc.symbols.close(fd);
 * libc.close();
 * ```
 */
export function openLibc(): Libc {
  const path = libcPath() ?? "libc.so.6";
  const library = Deno.dlopen(path, SYMBOLS);
  // errno is thread-local; its address is fixed for the thread, so one view
  // serves every later read.
  const location = library.symbols.__errno_location();
  if (location === null) {
    library.close();
    throw new Error("Cannot read errno: __errno_location returned NULL");
  }
  // Deno 2.9 reads through a pointer (UnsafePointerView) only with FFI granted
  // unscoped; scoped to libc's path, errno is copied out by libc's memcpy.
  let errno: () => number;
  if (path === "libc.so.6") {
    const errnoView = new Deno.UnsafePointerView(location);
    errno = () => errnoView.getInt32(0);
  } else {
    const copy = new Int32Array(1);
    errno = () => (library.symbols.memcpy(copy, location, 4n), copy[0]);
  }
  return { symbols: library.symbols, errno, close: () => library.close() };
}

/**
 * Encodes an IPv4 or IPv6 address literal and a port as `struct sockaddr_in`
 * (16 bytes) or `struct sockaddr_in6` (28 bytes): family in host order
 * (little-endian), port and address in network order.
 *
 * @example
 * ```ts
 * import { encodeSockaddr } from "./libc.ts";
 * const v4 = encodeSockaddr("127.0.0.1", 8080);
 * console.assert(v4.byteLength === 16 && v4[0] === 2 && v4[2] === 0x1f && v4[3] === 0x90);
 * console.assert(encodeSockaddr("::1", 80).byteLength === 28);
 * ```
 */
export function encodeSockaddr(address: string, port: number): Uint8Array<ArrayBuffer> {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, LINUX.AF_INET, true);
    view.setUint16(2, port, false);
    for (let i = 0; i < 4; i++) bytes[4 + i] = Number(v4[i + 1]);
    return bytes;
  }
  const bytes = new Uint8Array(28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, LINUX.AF_INET6, true);
  view.setUint16(2, port, false);
  bytes.set(parseIpv6(address), 8);
  return bytes;
}

/**
 * The port of a `struct sockaddr_in`/`sockaddr_in6` (network order at bytes 2-3).
 *
 * @example
 * ```ts
 * import { encodeSockaddr, sockaddrPort } from "./libc.ts";
 * console.assert(sockaddrPort(encodeSockaddr("127.0.0.1", 40000)) === 40000);
 * ```
 */
export function sockaddrPort(sockaddr: Uint8Array): number {
  return (sockaddr[2] << 8) | sockaddr[3];
}

function parseIpv6(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const halves = address.split("::");
  if (halves.length > 2) throw new TypeError(`Not an IPv6 address literal: ${address}`);
  const [head, tail] = halves.length === 2 ? halves : [address, undefined];
  const words = (part: string | undefined) => (part ? part.split(":").filter((w) => w) : []);
  const first = words(head);
  const last = words(tail);
  const all = tail === undefined
    ? first
    : [...first, ...Array(8 - first.length - last.length).fill("0"), ...last];
  if (all.length !== 8 || all.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) {
    throw new TypeError(`Not an IPv6 address literal: ${address}`);
  }
  all.forEach((word, i) => {
    const value = parseInt(word, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}
