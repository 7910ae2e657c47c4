import { defineConfig } from "vitest/config";

// The gateway serves dist/ at https://localhost:8443/ and forwards gRPC-Web there. In development
// (npm run dev) the dev server forwards the same paths to the gateway named by GATEWAY_URL.
const gateway = process.env.GATEWAY_URL ?? "https://localhost:8443";
const toGateway = { target: gateway, secure: false };

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    target: "es2022",
    // No inline code or data: URLs, so that the CSP "script-src 'self'" (and a strict
    // style-src/img-src) holds for everything the build emits.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/auth": toGateway,
      "^/consular\\.v1\\.": toGateway,
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
