/**
 * Starts a real nginx on loopback with its own config and temp directory,
 * for peer tests. `.ci/run` installs nginx and sets SYNFIN_REQUIRE_PEERS=1
 * so that a missing nginx fails CI instead of skipping.
 */

import { portIsQuiet } from "../../lib/testing/ports.ts";
import { waitForListener } from "./loopback.ts";

/** The nginx binary, when one is installed. */
export const NGINX: string | undefined = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/** Whether peer tests must run (and fail without nginx) instead of skipping. */
export const PEERS_REQUIRED = Deno.env.get("SYNFIN_REQUIRE_PEERS") === "1";

/** Options of {@link startNginx}. */
export interface NginxOptions {
  /** `listen ... backlog=N`. Default 4096. */
  backlog?: number;
}

/** A running nginx. */
export interface RunningNginx extends AsyncDisposable {
  /** Its port on 127.0.0.1 (below the ephemeral range). */
  port: number;
  /** Stops nginx and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts nginx (one worker process, no master) listening on 127.0.0.1 at a
 * port in 20000-31999 and waits until it accepts.
 */
export async function startNginx(options: NginxOptions = {}): Promise<RunningNginx> {
  if (!NGINX) throw new Error("nginx is not installed");
  const dir = await Deno.makeTempDir({ prefix: "synfin-nginx-" });
  // A port where no earlier server left TIME_WAIT sockets (see portIsQuiet).
  let port = 20000 + Math.floor(Math.random() * 12000);
  for (let attempt = 0; attempt < 50 && !portIsQuiet(port); attempt++) {
    port = 20000 + Math.floor(Math.random() * 12000);
  }
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port} backlog=${options.backlog ?? 4096};
    location / { return 200 "ok\\n"; }
  }
}
`,
  );
  const nginx = new Deno.Command(NGINX, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stopped: Promise<string> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        nginx.kill("SIGTERM");
      } catch { /* already exited */ }
      const { stderr } = await nginx.output();
      await Deno.remove(dir, { recursive: true });
      return new TextDecoder().decode(stderr).trim();
    })();
  const close = async () => void await stop();
  if (await waitForListener(port)) return { port, close, [Symbol.asyncDispose]: close };
  throw new Error(`nginx did not start on port ${port}: ${await stop() || "no message"}`);
}
