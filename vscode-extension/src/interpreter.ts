/**
 * Which Python runs djgen's language server: the extension's first step before the data path
 * (models.py → IR → generators → artifacts → merge → WorkspaceEdit) can start in the server.
 *
 * Pure logic (no `vscode` import), so it is unit-tested with a fake file system:
 * 1. the `djgen.interpreter` setting, when set (an explicit choice wins);
 * 2. the Python extension's active environment for the folder, when that extension is installed;
 * 3. a virtual environment in the project (the folder holding manage.py) or any folder above it up
 *    to the workspace folder: `.venv`, `venv`, `env`, each only if it has a `pyvenv.cfg`;
 * 4. `$VIRTUAL_ENV` (again only with a `pyvenv.cfg`);
 * 5. `python3` (`python` on Windows) from PATH.
 */
import * as path from "path";

export type InterpreterSource = "setting" | "python-extension" | "workspace-venv" | "VIRTUAL_ENV" | "path";

export interface InterpreterChoice {
  /** Executable to spawn (absolute, except for the PATH fallback). */
  command: string;
  source: InterpreterSource;
  /** One line for the output channel and the status bar tooltip. */
  describe: string;
}

/** The few file-system questions discovery asks; `fs`-backed in the extension, faked in tests. */
export interface FileProbe {
  isFile(p: string): boolean;
}

export interface InterpreterInputs {
  /** Raw `djgen.interpreter` value for the folder ("" or undefined when unset). */
  setting: string | undefined;
  /** Absolute path of the workspace folder. */
  workspaceFolder: string;
  /** Absolute path of the folder holding manage.py, if one was found. */
  projectRoot: string | undefined;
  /** Executable of the Python extension's active environment for the folder, if any. */
  pythonExtension: string | undefined;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
}

export const VENV_NAMES: readonly string[] = [".venv", "venv", "env"];

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Expand `${workspaceFolder}`, `${env:NAME}` and a leading `~`; make relative paths absolute. */
export function expandSetting(
  raw: string,
  workspaceFolder: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
): string {
  const p = pathApi(platform);
  let value = raw.trim();
  value = value.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  value = value.replace(/\$\{env:([^}]+)\}/g, (_match, name: string) => env[name] ?? "");
  const home = env.HOME ?? env.USERPROFILE;
  if (home && (value === "~" || value.startsWith("~/") || value.startsWith("~\\"))) {
    value = p.join(home, value.slice(1));
  }
  const looksLikePath = value.includes("/") || value.includes("\\");
  if (looksLikePath && !p.isAbsolute(value)) {
    value = p.resolve(workspaceFolder, value);
  }
  return value;
}

/** The interpreter inside a virtual environment folder. */
export function venvExecutables(venvDir: string, platform: NodeJS.Platform): string[] {
  const p = pathApi(platform);
  if (platform === "win32") {
    return [p.join(venvDir, "Scripts", "python.exe")];
  }
  return [p.join(venvDir, "bin", "python"), p.join(venvDir, "bin", "python3")];
}

/** A venv's interpreter, if `venvDir` is a real venv (has `pyvenv.cfg`) with an interpreter. */
export function venvInterpreter(
  venvDir: string,
  probe: FileProbe,
  platform: NodeJS.Platform,
): string | undefined {
  const p = pathApi(platform);
  if (!probe.isFile(p.join(venvDir, "pyvenv.cfg"))) {
    return undefined;
  }
  return venvExecutables(venvDir, platform).find((exe) => probe.isFile(exe));
}

/** Folders searched for a venv, nearest first: the project root, then up to the workspace folder. */
export function venvSearchDirs(
  workspaceFolder: string,
  projectRoot: string | undefined,
  platform: NodeJS.Platform,
): string[] {
  const p = pathApi(platform);
  const top = p.resolve(workspaceFolder);
  const dirs: string[] = [];
  let dir = projectRoot ? p.resolve(projectRoot) : top;
  const inside = (d: string) => d === top || d.startsWith(top.endsWith(p.sep) ? top : top + p.sep);
  if (!inside(dir)) {
    dirs.push(dir);
    dir = top;
  }
  for (;;) {
    dirs.push(dir);
    if (dir === top) {
      break;
    }
    const parent = p.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  return dirs;
}

export function resolveInterpreter(inputs: InterpreterInputs, probe: FileProbe): InterpreterChoice {
  const { platform, env } = inputs;
  const p = pathApi(platform);
  const setting = inputs.setting?.trim();
  if (setting) {
    const command = expandSetting(setting, inputs.workspaceFolder, env, platform);
    return { command, source: "setting", describe: `${command} (from the djgen.interpreter setting)` };
  }
  if (inputs.pythonExtension) {
    return {
      command: inputs.pythonExtension,
      source: "python-extension",
      describe: `${inputs.pythonExtension} (the Python extension's active environment)`,
    };
  }
  for (const dir of venvSearchDirs(inputs.workspaceFolder, inputs.projectRoot, platform)) {
    for (const name of VENV_NAMES) {
      const exe = venvInterpreter(p.join(dir, name), probe, platform);
      if (exe) {
        return { command: exe, source: "workspace-venv", describe: `${exe} (virtual environment in the workspace)` };
      }
    }
  }
  const virtualEnv = env.VIRTUAL_ENV;
  if (virtualEnv) {
    const exe = venvInterpreter(virtualEnv, probe, platform);
    if (exe) {
      return { command: exe, source: "VIRTUAL_ENV", describe: `${exe} (from $VIRTUAL_ENV)` };
    }
  }
  const command = platform === "win32" ? "python" : "python3";
  return { command, source: "path", describe: `${command} from PATH (no virtual environment found)` };
}
