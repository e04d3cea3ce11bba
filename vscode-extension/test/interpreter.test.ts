import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  expandSetting,
  type FileProbe,
  type InterpreterInputs,
  resolveInterpreter,
  venvSearchDirs,
} from "../src/interpreter";

/** A fake file system holding exactly these files. */
function files(...paths: string[]): FileProbe {
  const set = new Set(paths);
  return { isFile: (p) => set.has(p) };
}

function inputs(overrides: Partial<InterpreterInputs> = {}): InterpreterInputs {
  return {
    setting: "",
    workspaceFolder: "/ws",
    projectRoot: "/ws/site",
    pythonExtension: undefined,
    env: { HOME: "/home/dev" },
    platform: "linux",
    ...overrides,
  };
}

describe("resolveInterpreter", () => {
  it("prefers the djgen.interpreter setting over everything else", () => {
    const probe = files("/ws/site/.venv/pyvenv.cfg", "/ws/site/.venv/bin/python");
    const choice = resolveInterpreter(
      inputs({ setting: "/opt/py/bin/python", pythonExtension: "/usr/bin/python3.12" }),
      probe,
    );
    assert.equal(choice.command, "/opt/py/bin/python");
    assert.equal(choice.source, "setting");
  });

  it("uses the Python extension's environment when no setting is given", () => {
    const probe = files("/ws/site/.venv/pyvenv.cfg", "/ws/site/.venv/bin/python");
    const choice = resolveInterpreter(inputs({ pythonExtension: "/envs/a/bin/python" }), probe);
    assert.deepEqual([choice.command, choice.source], ["/envs/a/bin/python", "python-extension"]);
  });

  it("finds .venv in the project root before venv or env", () => {
    const probe = files(
      "/ws/site/venv/pyvenv.cfg",
      "/ws/site/venv/bin/python",
      "/ws/site/.venv/pyvenv.cfg",
      "/ws/site/.venv/bin/python",
    );
    const choice = resolveInterpreter(inputs(), probe);
    assert.deepEqual([choice.command, choice.source], ["/ws/site/.venv/bin/python", "workspace-venv"]);
  });

  it("ignores a folder named like a venv without pyvenv.cfg", () => {
    const probe = files("/ws/site/.venv/bin/python", "/ws/env/pyvenv.cfg", "/ws/env/bin/python");
    const choice = resolveInterpreter(inputs(), probe);
    assert.equal(choice.command, "/ws/env/bin/python");
  });

  it("walks up from the project root to the workspace folder, not beyond", () => {
    const probe = files("/.venv/pyvenv.cfg", "/.venv/bin/python");
    const choice = resolveInterpreter(inputs(), probe);
    assert.equal(choice.source, "path");
    assert.equal(choice.command, "python3");
  });

  it("accepts bin/python3 when bin/python is missing", () => {
    const probe = files("/ws/venv/pyvenv.cfg", "/ws/venv/bin/python3");
    assert.equal(resolveInterpreter(inputs(), probe).command, "/ws/venv/bin/python3");
  });

  it("falls back to VIRTUAL_ENV (with pyvenv.cfg) and then to PATH", () => {
    const env = { VIRTUAL_ENV: "/home/dev/.virtualenvs/shop" };
    const withCfg = files("/home/dev/.virtualenvs/shop/pyvenv.cfg", "/home/dev/.virtualenvs/shop/bin/python");
    const choice = resolveInterpreter(inputs({ env }), withCfg);
    assert.deepEqual([choice.command, choice.source], ["/home/dev/.virtualenvs/shop/bin/python", "VIRTUAL_ENV"]);
    const withoutCfg = files("/home/dev/.virtualenvs/shop/bin/python");
    assert.equal(resolveInterpreter(inputs({ env }), withoutCfg).source, "path");
  });

  it("uses Scripts\\python.exe and `python` on Windows", () => {
    const probe = files("C:\\ws\\.venv\\pyvenv.cfg", "C:\\ws\\.venv\\Scripts\\python.exe");
    const win = inputs({ workspaceFolder: "C:\\ws", projectRoot: "C:\\ws", platform: "win32" });
    assert.equal(resolveInterpreter(win, probe).command, "C:\\ws\\.venv\\Scripts\\python.exe");
    assert.equal(resolveInterpreter(win, files()).command, "python");
  });

  it("searches the workspace folder when no manage.py was found", () => {
    const probe = files("/ws/.venv/pyvenv.cfg", "/ws/.venv/bin/python");
    assert.equal(resolveInterpreter(inputs({ projectRoot: undefined }), probe).command, "/ws/.venv/bin/python");
  });
});

describe("expandSetting", () => {
  it("expands ${workspaceFolder}, ${env:X} and ~", () => {
    assert.equal(expandSetting("${workspaceFolder}/.venv/bin/python", "/ws", {}, "linux"), "/ws/.venv/bin/python");
    assert.equal(expandSetting("${env:PYROOT}/bin/python", "/ws", { PYROOT: "/opt/py" }, "linux"), "/opt/py/bin/python");
    assert.equal(expandSetting("~/envs/a/bin/python", "/ws", { HOME: "/home/dev" }, "linux"), "/home/dev/envs/a/bin/python");
  });

  it("makes relative paths absolute against the workspace folder but leaves bare commands", () => {
    assert.equal(expandSetting("./venv/bin/python", "/ws", {}, "linux"), "/ws/venv/bin/python");
    assert.equal(expandSetting("python3.12", "/ws", {}, "linux"), "python3.12");
  });
});

describe("venvSearchDirs", () => {
  it("lists the project root and every folder up to the workspace folder", () => {
    assert.deepEqual(venvSearchDirs("/ws", "/ws/a/b", "linux"), ["/ws/a/b", "/ws/a", "/ws"]);
  });

  it("does not climb above the workspace folder when the project is outside it", () => {
    assert.deepEqual(venvSearchDirs("/ws", "/elsewhere/site", "linux"), ["/elsewhere/site", "/ws"]);
  });

  it("does not treat a sibling folder with a common prefix as inside", () => {
    assert.deepEqual(venvSearchDirs("/ws", "/ws2/site", "linux"), ["/ws2/site", "/ws"]);
  });
});
