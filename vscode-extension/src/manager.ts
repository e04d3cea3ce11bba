/**
 * Keeps one language server session per workspace folder (multi-root: each folder has its own
 * interpreter, project root and settings) and restarts sessions when their interpreter or
 * settings change. Sessions turn models.py into diagnostics, previews and WorkspaceEdits.
 */
import * as vscode from "vscode";
import { PythonEnvironments } from "./pythonEnvironment";
import { hasDjangoCode } from "./projectRoot";
import { nodeLister, ServerSession } from "./session";
import { RESTART_KEYS } from "./settings";

export class SessionManager implements vscode.Disposable {
  private readonly sessions = new Map<string, ServerSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when a session is added, removed or changes state. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly pendingRestarts = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly python: PythonEnvironments,
    private readonly onMissingDjgen: (session: ServerSession, detail: string) => void,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        event.removed.forEach((folder) => void this.remove(folder));
        event.added.forEach((folder) => void this.add(folder));
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        for (const session of this.sessions.values()) {
          const affected = RESTART_KEYS.some((key) => event.affectsConfiguration(`djgen.${key}`, session.folder));
          if (affected) {
            this.log.info(`[${session.folder.name}] djgen settings changed: restarting the language server`);
            this.scheduleRestart(session);
          }
        }
      }),
    );
    void this.python.onDidChange((folder) => {
      for (const session of this.sessions.values()) {
        if (folder === undefined || folder.uri.toString() === session.folder.uri.toString()) {
          this.log.info(`[${session.folder.name}] the Python environment changed: restarting the language server`);
          this.scheduleRestart(session);
        }
      }
    });
  }

  async startAll(): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.add(folder)));
  }

  private async add(folder: vscode.WorkspaceFolder): Promise<void> {
    if (folder.uri.scheme !== "file" || this.sessions.has(folder.uri.toString())) {
      return;
    }
    if (!hasDjangoCode(folder.uri.fsPath, nodeLister)) {
      this.log.info(`[${folder.name}] no manage.py or models.py found: no djgen language server for this folder`);
      return;
    }
    const session = new ServerSession(folder, this.log, this.python, this.onMissingDjgen);
    session.onDidChangeState(() => this.changeEmitter.fire());
    this.sessions.set(folder.uri.toString(), session);
    this.changeEmitter.fire();
    await session.start();
  }

  private async remove(folder: vscode.WorkspaceFolder): Promise<void> {
    const session = this.sessions.get(folder.uri.toString());
    if (session) {
      this.sessions.delete(folder.uri.toString());
      await session.stop();
      session.dispose();
      this.changeEmitter.fire();
    }
  }

  /** Debounced: several settings written at once restart a server once. */
  private scheduleRestart(session: ServerSession): void {
    const key = session.folder.uri.toString();
    clearTimeout(this.pendingRestarts.get(key));
    this.pendingRestarts.set(
      key,
      setTimeout(() => {
        this.pendingRestarts.delete(key);
        void session.restart();
      }, 300),
    );
  }

  all(): ServerSession[] {
    return [...this.sessions.values()];
  }

  /** The session of the folder holding `uri` (or of the active editor; else the first one). */
  sessionFor(uri?: vscode.Uri): ServerSession | undefined {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const folder = target ? vscode.workspace.getWorkspaceFolder(target) : undefined;
    if (folder) {
      return this.sessions.get(folder.uri.toString());
    }
    return this.sessions.values().next().value;
  }

  /** Restarts the sessions whose server runs with `python`. */
  async restartUsing(python: string): Promise<void> {
    await Promise.all(this.all().filter((s) => s.interpreter?.command === python).map((s) => s.restart()));
  }

  /** Restarts every session, and starts one for folders that gained Django code since. */
  async restartAll(): Promise<void> {
    await Promise.all(this.all().map((session) => session.restart()));
    await this.startAll();
  }

  dispose(): void {
    this.pendingRestarts.forEach((timer) => clearTimeout(timer));
    this.disposables.forEach((d) => d.dispose());
    this.sessions.forEach((session) => session.dispose());
    this.changeEmitter.dispose();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((session) => session.stop()));
  }
}
