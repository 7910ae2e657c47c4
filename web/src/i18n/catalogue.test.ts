// The catalogues: the same keys and placeholders in both languages, every message key the
// source uses exists, no message is left unused, and every value of every enum shown has a word.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { enumKey, shownEnums } from "../enums";
import en from "./en.json";
import nl from "./nl.json";

const srcDir = fileURLToPath(new URL("..", import.meta.url));
const catalogues: Record<string, Record<string, string>> = { nl, en };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "gen") out.push(...sourceFiles(path));
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) {
      out.push(path);
    }
  }
  return out;
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!).sort();
}

// Message keys are "<namespace>.<name>"; any string literal in the source of that form with a
// namespace of the catalogue is a key the source uses (in t(), tPlural() or as a MessageKey).
const namespaces = new Set(Object.keys(nl).map((k) => k.split(".")[0]!));
namespaces.delete("enum");
const pluralForms = /\.(zero|one|two|few|many|other)$/;

function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(["'`])([a-zA-Z]+(?:\.[a-zA-Z]+)+)\1/g)) {
      const key = m[2]!;
      if (!namespaces.has(key.split(".")[0]!)) continue;
      const files = used.get(key) ?? [];
      files.push(relative(srcDir, file));
      used.set(key, files);
    }
  }
  return used;
}

describe("message catalogues", () => {
  it("have exactly the same keys in Dutch and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort());
  });

  it("have the same placeholders for each key in both languages", () => {
    for (const key of Object.keys(nl)) {
      expect(placeholders(catalogues.en![key] ?? ""), key).toEqual(placeholders(catalogues.nl![key] ?? ""));
    }
  });

  it("have no empty message", () => {
    for (const [lang, messages] of Object.entries(catalogues)) {
      for (const [key, message] of Object.entries(messages)) expect(message.trim(), `${lang} ${key}`).not.toBe("");
    }
  });

  it("have every key the source uses", () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(50); // the scan found the source
    for (const [key, files] of used) {
      const exists = key in nl || (`${key}.one` in nl && `${key}.other` in nl);
      expect(exists, `${key} (used in ${files.join(", ")})`).toBe(true);
    }
  });

  it("have no message the source does not use", () => {
    const used = usedKeys();
    for (const key of Object.keys(nl)) {
      if (key.startsWith("enum.")) continue;
      const base = key.replace(pluralForms, "");
      expect(used.has(key) || (base !== key && used.has(base)), `${key} is unused`).toBe(true);
    }
  });

  it("have a word for every value of every enum shown", () => {
    const names = new Set<string>();
    for (const e of shownEnums) {
      for (const v of e.values) {
        if (v.number === 0) continue; // unspecified shows as "—"
        names.add(enumKey(v.name));
        for (const [lang, messages] of Object.entries(catalogues)) {
          expect(messages[enumKey(v.name)], `${lang} ${e.typeName}.${v.name}`).toBeDefined();
        }
      }
    }
    // And no word for a value that does not exist (any more).
    for (const key of Object.keys(nl).filter((k) => k.startsWith("enum."))) {
      expect(names.has(key), `${key} names no enum value`).toBe(true);
    }
  });
});
