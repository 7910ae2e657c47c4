// Generates TypeScript messages and service descriptors for every consular/v1 proto into
// src/gen/ with protoc and the protoc-gen-es plugin from node_modules. PROTOC may name another
// protoc binary (default: protoc on PATH).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protoRoot = resolve(webDir, "..", "proto");
const protoDir = join(protoRoot, "consular", "v1");
const outDir = join(webDir, "src", "gen");
const pluginName = process.platform === "win32" ? "protoc-gen-es.cmd" : "protoc-gen-es";
const plugin = join(webDir, "node_modules", ".bin", pluginName);

if (!existsSync(plugin)) {
  console.error("generate: protoc-gen-es is missing; run npm ci first");
  process.exit(1);
}
const protos = readdirSync(protoDir)
  .filter((name) => name.endsWith(".proto"))
  .sort()
  .map((name) => relative(protoRoot, join(protoDir, name)));
if (protos.length === 0) {
  console.error("generate: no .proto files under proto/consular/v1");
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const protoc = process.env.PROTOC || "protoc";
const args = [
  `--plugin=protoc-gen-es=${plugin}`,
  `--es_out=${outDir}`,
  "--es_opt=target=ts",
  `--proto_path=${protoRoot}`,
  ...protos,
];
const run = spawnSync(protoc, args, { cwd: protoRoot, stdio: "inherit" });
if (run.error) {
  console.error(`generate: cannot run ${protoc}: ${run.error.message}`);
  process.exit(1);
}
if (run.status !== 0) process.exit(run.status ?? 1);
console.log(`generate: ${protos.length} protos -> src/gen/consular/v1`);
