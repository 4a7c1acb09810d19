// Compile SymPy and mpmath to Pyodide's bytecode once, when the site is built.
//
//   node docs/_ext/playground_bytecode.mjs PYODIDE_DIR OUT.zip WHEEL...
//
// Run by `nox -s docs` (stage_playground in noxfile.py) with Node.js and the Pyodide
// the site serves. A browser that imports SymPy from its wheel compiles some 1,300
// modules first: seconds of the playground's start. This zip holds the compiled
// modules instead (sourceless .pyc beside where the .py was, for Pyodide's Python
// only), without SymPy's own test suites, which the playground never imports.
import fs from "node:fs";
import path from "node:path";

const [pyodideDir, out, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const pyodide = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/",
  stdout: () => {},
  stderr: () => {},
});
const site = "/tmp/site-packages";
for (const wheel of wheels) {
  pyodide.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: site });
}
pyodide.globals.set("site", site);
pyodide.runPython(`
import compileall, io, os, py_compile, re, warnings, zipfile

warnings.simplefilter("ignore")  # SyntaxWarnings of SymPy's test runner
tests = re.compile(r"/tests/")
compileall.compile_dir(
    site, quiet=2, legacy=True, rx=tests,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
)
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    for root, dirs, files in os.walk(site):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "__pycache__"))
        for name in sorted(files):
            full = os.path.join(root, name)
            if name.endswith(".py") and os.path.exists(full + "c"):
                continue  # its bytecode stands for it
            info = zipfile.ZipInfo(os.path.relpath(full, site), (2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as file:
                archive.writestr(info, file.read())
compiled = buffer.getvalue()
`);
fs.writeFileSync(out, pyodide.globals.get("compiled").toJs());
