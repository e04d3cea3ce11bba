/**
 * When the chosen interpreter cannot import djgen: say so once, and offer to install djgen there
 * from the wheel bundled in the .vsix (`bundled/djgen-*.whl`; its dependencies pygls, lsprotocol,
 * jinja2 and libcst come from the package index), to pick another interpreter, or to read the log.
 */
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import type { ServerSession } from "./session";

export const INSTALL_ACTION = "Install djgen in this environment";
const CHOOSE_ACTION = "Choose interpreter";
const OUTPUT_ACTION = "Show output";

/** The bundled wheel, if this build of the extension has one. */
export function bundledWheel(extensionPath: string): string | undefined {
  const dir = path.join(extensionPath, "bundled");
  try {
    const wheel = fs.readdirSync(dir).find((name) => /^djgen-.*\.whl$/.test(name));
    return wheel ? path.join(dir, wheel) : undefined;
  } catch {
    return undefined;
  }
}

export class MissingDjgenPrompt {
  /** Interpreters already asked about, so a restart loop does not repeat the message. */
  private readonly asked = new Set<string>();

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
    /** Restarts every session that uses this interpreter (after djgen was installed into it). */
    private readonly restartUsing: (python: string) => Promise<void>,
  ) {}

  async show(session: ServerSession, detail: string): Promise<void> {
    const python = session.interpreter?.command;
    if (!python || this.asked.has(python)) {
      return;
    }
    this.asked.add(python);
    const wheel = bundledWheel(this.extensionPath);
    const actions = [wheel ? INSTALL_ACTION : undefined, CHOOSE_ACTION, OUTPUT_ACTION].filter(
      (a): a is string => a !== undefined,
    );
    const choice = await vscode.window.showErrorMessage(
      `djgen cannot start for "${session.folder.name}": ${detail}.`,
      ...actions,
    );
    if (choice === INSTALL_ACTION && wheel) {
      const ok = await this.install(python, wheel, session.projectRoot ?? session.folder.uri.fsPath);
      this.asked.delete(python);
      if (ok) {
        await this.restartUsing(python);
      }
    } else if (choice === CHOOSE_ACTION) {
      this.asked.delete(python);
      await vscode.commands.executeCommand("workbench.action.openSettings", "djgen.interpreter");
    } else if (choice === OUTPUT_ACTION) {
      this.log.show();
    }
  }

  /** `python -m pip install <wheel>`, logged to the output channel, with a progress notification. */
  install(python: string, wheel: string, cwd: string): Thenable<boolean> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing djgen with ${python}…` },
      () =>
        new Promise<boolean>((resolve) => {
          this.log.info(`Running: ${python} -m pip install ${wheel}`);
          const child = cp.spawn(python, ["-m", "pip", "install", "--disable-pip-version-check", wheel], { cwd });
          child.stdout.on("data", (chunk: Buffer) => this.log.info(chunk.toString().trimEnd()));
          child.stderr.on("data", (chunk: Buffer) => this.log.warn(chunk.toString().trimEnd()));
          child.on("error", (error) => {
            this.log.error(`pip could not run: ${String(error)}`);
            void vscode.window.showErrorMessage(`Installing djgen failed: ${String(error)}`);
            resolve(false);
          });
          child.on("close", (code) => {
            if (code === 0) {
              void vscode.window.showInformationMessage("djgen installed; starting its language server.");
              resolve(true);
            } else {
              this.log.error(`pip exited with status ${code}`);
              void vscode.window
                .showErrorMessage(`Installing djgen failed (pip exited with ${code}); see the output.`, OUTPUT_ACTION)
                .then((c) => c && this.log.show());
              resolve(false);
            }
          });
        }),
    );
  }
}
