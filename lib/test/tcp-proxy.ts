// A TCP proxy in front of a real server, for outage tests of shared services that must never be
// restarted: `cut` drops every open connection and refuses new ones (a broker restart as clients
// see it), `blackhole` accepts and stays silent, `forward` passes bytes again.
import net from "node:net";

export type ProxyMode = "forward" | "cut" | "blackhole";

export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: ProxyMode = "forward";
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => {});
    if (mode === "cut") return void client.destroy();
    if (mode === "blackhole") return;
    const upstream = net.connect(target.port, target.host);
    open.add(upstream);
    upstream.on("close", () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
  return {
    port,
    /** Connections accepted so far (a reconnect shows as one more). */
    accepted: () => accepted,
    set(next: ProxyMode) {
      mode = next;
      if (next !== "forward") for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
