// Builds djgen's own wheel (no dependencies) from the repository into bundled/, so the packaged
// extension can offer "Install djgen in this environment" with `pip install bundled/djgen-*.whl`.
// Python: $DJGEN_PYTHON, else the repository's .venv, else python3 from PATH.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = resolve(here, "..");
const repo = resolve(extensionDir, "..");
const out = join(extensionDir, "bundled");
const venvPython = join(repo, ".venv", "bin", "python");
const python = process.env.DJGEN_PYTHON || (existsSync(venvPython) ? venvPython : "python3");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Build from a copy of the Python sources, so the build leaves nothing behind in the repository.
const source = mkdtempSync(join(tmpdir(), "djgen-wheel-"));
for (const entry of ["pyproject.toml", "README.md", "generators", "server"]) {
  cpSync(join(repo, entry), join(source, entry), {
    recursive: true,
    filter: (src) => !src.includes("__pycache__"),
  });
}
try {
  // setuptools' warnings go to a pipe and are shown only when the build fails.
  execFileSync(python, ["-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", out, source], {
    stdio: "pipe",
  });
} catch (error) {
  console.error(String(error.stdout ?? "") + String(error.stderr ?? ""));
  console.error(`bundle-wheel: building djgen's wheel with ${python} failed: ${error.message}`);
  process.exit(1);
} finally {
  rmSync(source, { recursive: true, force: true });
}
const wheels = readdirSync(out).filter((name) => name.endsWith(".whl"));
if (wheels.length !== 1) {
  console.error(`bundle-wheel: expected one wheel in ${out}, found ${wheels.length}`);
  process.exit(1);
}
console.log(`bundle-wheel: ${join("bundled", wheels[0])}`);
