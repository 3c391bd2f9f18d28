// `npm run simulator -- --port 4010 [--host 0.0.0.0] [--seed 7] [--webhook-delay-ms 50] [--no-auto-delivery]`
import { parseArgs } from "node:util";
import { startSimulator } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string", default: "1" },
    "webhook-delay-ms": { type: "string", default: "20" },
    "max-records": { type: "string", default: "100000" },
    "no-auto-delivery": { type: "boolean", default: false },
  },
});

const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  seed: Number(values.seed),
  webhookDelayMs: Number(values["webhook-delay-ms"]),
  maxRecords: Number(values["max-records"]),
  autoDelivery: !values["no-auto-delivery"],
});

console.log(JSON.stringify({ url: sim.url, accounts: sim.defaultAccounts }, null, 2));

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
