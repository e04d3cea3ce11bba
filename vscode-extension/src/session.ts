/**
 * One running djgen language server for one workspace folder: picks the interpreter, checks that
 * djgen is importable there, and starts `python -m djgen.server` over stdio in the folder holding
 * manage.py. The server then turns models.py into diagnostics, previews and WorkspaceEdits.
 */
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  type DynamicFeature,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  RevealOutputChannelOn,
  type StaticFeature,
  State,
} from "vscode-languageclient/node";
import { type InterpreterChoice, resolveInterpreter } from "./interpreter";
import { findProjectRoot } from "./projectRoot";
import { documentPatterns, WATCHED_GLOBS } from "./selector";
import { type SettingsReader, toServerSettings } from "./settings";
import type { PythonEnvironments } from "./pythonEnvironment";

export type SessionState =
  | { kind: "stopped" }
  | { kind: "starting" }
  | { kind: "running" }
  | { kind: "missing-djgen"; detail: string }
  | { kind: "failed"; detail: string };

/** A `djgen.*` settings reader for one folder, from VS Code's configuration. */
export function folderSettingsReader(scope: vscode.ConfigurationScope | undefined): SettingsReader {
  const config = vscode.workspace.getConfiguration("djgen", scope);
  return (key) => {
    const inspected = config.inspect(key);
    const isSet =
      inspected !== undefined &&
      [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue].some((v) => v !== undefined);
    return { value: config.get(key), isSet };
  };
}

const nodeProbe = {
  isFile(p: string): boolean {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
};

export const nodeLister = {
  list(dir: string) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
    } catch {
      return [];
    }
  },
};

/** Runs `python -c "import djgen.server"`; resolves to undefined when it works, else the reason. */
export function checkDjgenImportable(python: string, cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    cp.execFile(
      python,
      ["-c", "import djgen.server, sys; print(sys.version.split()[0])"],
      { cwd, timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (!error) {
          resolve(undefined);
        } else if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          resolve(`the interpreter ${python} does not exist`);
        } else {
          const last = stderr.trim().split(/\r?\n/).pop() ?? String(error);
          resolve(`djgen is not importable with ${python} (${last})`);
        }
      },
    );
  });
}

/**
 * A language client without the built-in `workspace/executeCommand` feature: the server's commands
 * are registered once for all folders by ServerCommandRouter (see serverCommands.ts).
 */
class FolderLanguageClient extends LanguageClient {
  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as Partial<DynamicFeature<unknown>>).registrationType?.method;
    if (method === ExecuteCommandRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

export class ServerSession implements vscode.Disposable {
  client: LanguageClient | undefined;
  interpreter: InterpreterChoice | undefined;
  projectRoot: string | undefined;
  state: SessionState = { kind: "stopped" };
  private generation = 0;
  private readonly stateEmitter = new vscode.EventEmitter<ServerSession>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly log: vscode.LogOutputChannel,
    private readonly python: PythonEnvironments,
    private readonly onMissingDjgen: (session: ServerSession, detail: string) => void,
  ) {}

  private setState(state: SessionState): void {
    this.state = state;
    this.stateEmitter.fire(this);
  }

  async start(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ kind: "starting" });
    const folderPath = this.folder.uri.fsPath;
    this.projectRoot = findProjectRoot(folderPath, nodeLister);
    const cwd = this.projectRoot ?? folderPath;
    const config = vscode.workspace.getConfiguration("djgen", this.folder);
    this.interpreter = resolveInterpreter(
      {
        setting: config.get<string>("interpreter"),
        workspaceFolder: folderPath,
        projectRoot: this.projectRoot,
        pythonExtension: config.get<string>("interpreter") ? undefined : await this.python.activeInterpreter(this.folder),
        env: process.env,
        platform: process.platform,
      },
      nodeProbe,
    );
    this.log.info(
      `[${this.folder.name}] interpreter: ${this.interpreter.describe}; project: ${
        this.projectRoot ?? `${folderPath} (no manage.py found)`
      }`,
    );
    const problem = await checkDjgenImportable(this.interpreter.command, cwd);
    if (generation !== this.generation) {
      return; // a newer start or a stop happened meanwhile
    }
    if (problem) {
      this.log.error(`[${this.folder.name}] ${problem}`);
      this.setState({ kind: "missing-djgen", detail: problem });
      this.onMissingDjgen(this, problem);
      return;
    }

    const mapped = toServerSettings(folderSettingsReader(this.folder));
    mapped.problems.forEach((p) => this.log.warn(`[${this.folder.name}] ${p}`));
    const serverOptions: ServerOptions = {
      command: this.interpreter.command,
      args: ["-m", "djgen.server"],
      options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentPatterns(folderPath).map((pattern) => ({ scheme: "file", language: "python", pattern })),
      workspaceFolder: this.folder,
      initializationOptions: mapped.settings,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      synchronize: {
        fileEvents: WATCHED_GLOBS.map((glob) =>
          vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, glob)),
        ),
      },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, index) => {
              if (item.section !== "djgen") {
                return answers[index];
              }
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : this.folder;
              return toServerSettings(folderSettingsReader(scope)).settings;
            });
          },
        },
      },
    };
    // The id "djgen" makes the client read `djgen.trace.server` (and follow its changes).
    const client = new FolderLanguageClient(
      "djgen",
      `djgen (${this.folder.name})`,
      serverOptions,
      clientOptions,
    );
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return;
      }
      if (event.newState === State.Running) {
        this.setState({ kind: "running" });
      } else if (event.newState === State.Stopped && this.state.kind === "running") {
        this.setState({ kind: "failed", detail: "the language server stopped" });
      }
    });
    this.client = client;
    try {
      await client.start();
      if (generation === this.generation) {
        this.log.info(`[${this.folder.name}] language server started (${path.basename(this.interpreter.command)} -m djgen.server in ${cwd})`);
        this.setState({ kind: "running" });
      }
    } catch (error) {
      this.log.error(`[${this.folder.name}] the language server did not start: ${String(error)}`);
      if (generation === this.generation) {
        this.setState({ kind: "failed", detail: String(error) });
      }
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.log.warn(`[${this.folder.name}] stopping the language server: ${String(error)}`);
      }
      try {
        await client.dispose();
      } catch {
        // already disposed
      }
    }
    this.setState({ kind: "stopped" });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}
