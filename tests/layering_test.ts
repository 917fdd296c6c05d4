/**
 * The layering of `lib/`, checked on the real import graph of the program (`deno info --json
 * main.ts`, dynamic imports included): lower folders never import higher ones, `lib/base`
 * (runtime helpers) imports no other folder and `lib/asciicast` none but `lib/base`, nothing
 * imports `tests/`, a folder's `_private.ts` files are imported only from inside it,
 * `@xterm/headless` has one owner (`lib/vt`), and there are no import cycles. A breach fails
 * naming the importing file, the line and the import.
 */
import { assert, assertEquals } from "./_assert.ts";

/**
 * Each folder's layer: a folder may import folders of its own layer or lower. A new folder
 * must be placed here (the test fails on one it does not know).
 */
const LAYERS: Record<string, number> = {
  base: 0,
  asciicast: 0,
  alis: 1,
  config: 1,
  pty: 1,
  compress: 1,
  http: 1,
  term: 2,
  vt: 2,
  session: 3,
  redact: 3,
  stream: 4,
  remote: 5,
  play: 5,
  export: 5,
  edit: 5,
  search: 5,
  relay: 6,
  format: 6,
  tape: 7,
  cli: 8,
};

interface Dependency {
  specifier: string;
  code?: { specifier: string; span: { start: { line: number } } };
  type?: { specifier: string; span: { start: { line: number } } };
}

interface Module {
  specifier: string;
  dependencies?: Dependency[];
}

const ROOT = new URL("../", import.meta.url).href;

async function importGraph(): Promise<Module[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

/** `lib/vt/vt.ts` for a file of the project; undefined for anything else. */
function local(specifier: string): string | undefined {
  return specifier.startsWith(ROOT) ? specifier.slice(ROOT.length) : undefined;
}

/** The folder of a `lib/` file (`lib/vt/vt.ts` → `vt`); `""` for `lib/mod.ts`. */
function folderOf(path: string): string | undefined {
  const m = /^lib\/(?:([^/]+)\/)?[^/]+$/.exec(path);
  return m ? m[1] ?? "" : undefined;
}

Deno.test("the program's imports respect the layers of lib/", async () => {
  const modules = await importGraph();
  const breaches: string[] = [];
  const edges = new Map<string, string[]>();
  let checked = 0;
  for (const module of modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    const fromFolder = folderOf(from);
    for (const dep of module.dependencies ?? []) {
      const target = dep.code ?? dep.type;
      if (!target) continue;
      const at = `${from}:${target.span.start.line + 1}: imports ${JSON.stringify(dep.specifier)}`;
      if (dep.specifier === "@xterm/headless" || target.specifier.includes("@xterm/headless")) {
        if (fromFolder !== "vt") breaches.push(`${at}: only lib/vt may use @xterm/headless`);
      }
      const to = local(target.specifier);
      if (to === undefined) continue;
      checked++;
      if (from.startsWith("lib/")) edges.set(from, [...(edges.get(from) ?? []), to]);
      if (from.startsWith("lib/") && to.startsWith("tests/")) {
        breaches.push(`${at}: lib/ never imports tests/`);
      }
      const toFolder = folderOf(to);
      if (fromFolder === undefined || toFolder === undefined || toFolder === "") continue;
      if (/\/_[^/]+$/.test(to) && toFolder !== fromFolder) {
        breaches.push(`${at}: a private file of lib/${toFolder}, imported from outside it`);
      }
      if (fromFolder === "" || fromFolder === toFolder) continue;
      for (const folder of [fromFolder, toFolder]) {
        if (!(folder in LAYERS)) {
          breaches.push(`${at}: lib/${folder} has no layer (add it to LAYERS)`);
        }
      }
      if (fromFolder === "base") {
        breaches.push(`${at}: lib/base is the ground floor and imports no other folder`);
      } else if (fromFolder === "asciicast" && toFolder !== "base") {
        breaches.push(`${at}: lib/asciicast imports no other folder but lib/base`);
      } else if (LAYERS[toFolder]! > LAYERS[fromFolder]!) {
        breaches.push(
          `${at}: lib/${fromFolder} (layer ${
            LAYERS[fromFolder]
          }) imports the higher lib/${toFolder} (layer ${LAYERS[toFolder]})`,
        );
      }
    }
  }
  assert(checked > 100, `only ${checked} imports found: is the graph right?`);
  assertEquals(breaches, []);
  assertEquals(findCycles(edges), []);
});

/** Every import cycle among `edges`, each once, as `a → b → … → a`. */
function findCycles(edges: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") {
        cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

Deno.test("the layering check finds cycles", () => {
  const edges = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assertEquals(findCycles(edges), ["a → b → c → a"]);
  assertEquals(findCycles(new Map([["a", ["b"]], ["b", []]])), []);
});
