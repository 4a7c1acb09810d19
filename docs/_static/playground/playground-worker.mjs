// The playground's worker: Python (Pyodide), SymPy and the engine, off the page's thread.
//
// Everything comes from the site's own _playground/ folder (its manifest.json names
// the files): Pyodide's core, SymPy and mpmath compiled to bytecode, a zip of the library's
// sources (lstm_derive: cells, derive, codegen) and ruff's formatter compiled to
// WebAssembly. The page sends {type: "start", assets} when the reader starts
// editing and {type: "derive", assets, id, text, cell}; the worker answers with
// {type: "progress", step} while it starts, then {type: "result"} (what
// lstm_derive.playground.run returns) or {type: "failed", message}.

let engine = null; // the promise of a started engine

function progress(step, detail = "") {
  postMessage({ type: "progress", step, detail });
}

async function bytes(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.arrayBuffer();
}

async function formatter(assets, manifest) {
  const ruff = await import(assets + manifest.ruff.module);
  await ruff.default({ module_or_path: assets + manifest.ruff.wasm });
  // As `ruff format --isolated --line-length 88` in lstm_derive.codegen.regen.
  const workspace = new ruff.Workspace({ "line-length": 88 }, ruff.PositionEncoding.Utf16);
  return (text) => workspace.format(text);
}

async function start(assets) {
  const started = performance.now();
  progress("download");
  const manifest = await (await fetch(assets + "manifest.json")).json();
  // Every download at once; Python starts meanwhile.
  const packages = bytes(assets + manifest.packages);
  const library = bytes(assets + manifest.library);
  const format = formatter(assets, manifest).catch((error) => {
    console.warn("the playground shows unformatted code:", error);
    return null;
  });
  progress("python", manifest.versions.pyodide);
  const { loadPyodide } = await import(assets + manifest.pyodide + "pyodide.mjs");
  const pyodide = await loadPyodide({
    indexURL: assets + manifest.pyodide,
    stdout: () => {},
    stderr: () => {},
  });
  progress("sympy", manifest.versions.sympy);
  // SymPy and mpmath, compiled to bytecode when the site was built.
  pyodide.unpackArchive(await packages, "zip", { extractDir: "/home/pyodide/packages" });
  progress("engine");
  pyodide.unpackArchive(await library, "zip", { extractDir: "/home/pyodide/engine" });
  progress("import", manifest.versions.sympy);
  pyodide.runPython(
    'import sys\nsys.path[:0] = ["/home/pyodide/engine", "/home/pyodide/packages"]\n' +
      "import json\nimport sympy\nfrom lstm_derive import playground",
  );
  progress("formatter", manifest.versions.ruff);
  const format_ = await format;
  const run = pyodide.runPython(
    "lambda text, cell, formatter: json.dumps(playground.run(text, cell, formatter))",
  );
  // A module ruff cannot parse does not compile either: the engine reports it.
  const safe = format_
    ? (text) => {
        try {
          return format_(text);
        } catch {
          return text;
        }
      }
    : undefined; // None in Python (null would be Pyodide's JsNull)
  return {
    run: (text, cell) => JSON.parse(run(text, cell, safe)),
    seconds: (performance.now() - started) / 1000,
    ruff: format_ ? manifest.versions.ruff : null,
    versions: manifest.versions,
  };
}

onmessage = async (event) => {
  const message = event.data;
  if (message.type === "start") {
    // The reader is editing: start Python now, while they type.
    if (engine === null) {
      engine = start(message.assets);
      engine.then(
        () => postMessage({ type: "ready" }),
        (error) => {
          engine = null;
          postMessage({ type: "failed", id: null, message: String(error?.message ?? error) });
        },
      );
    }
    return;
  }
  if (message.type !== "derive") {
    return;
  }
  let ready;
  try {
    if (engine === null) {
      engine = start(message.assets);
    }
    ready = await engine;
  } catch (error) {
    engine = null; // start again on the next request
    postMessage({ type: "failed", id: message.id, message: String(error?.message ?? error) });
    return;
  }
  progress("derive");
  const started = performance.now();
  const result = ready.run(message.text, message.cell);
  postMessage({
    type: "result",
    id: message.id,
    result,
    seconds: (performance.now() - started) / 1000,
    startup: ready.seconds,
    ruff: ready.ruff,
    versions: ready.versions,
  });
};
