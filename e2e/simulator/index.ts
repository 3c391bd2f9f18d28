export { startSimulator, Simulator, SimulatorError, type SimulatorOptions } from "./server";
export { SimulatorClient, SimulatorClientError } from "./client";
export { SENDGRID_IDEMPOTENCY_ARG } from "./providers/sendgrid";
export { MAILGUN_IDEMPOTENCY_VAR } from "./providers/mailgun";
export * from "./types";
