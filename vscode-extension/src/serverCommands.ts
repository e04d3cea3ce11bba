/**
 * The language server's own commands (djgen.generate, djgen.generateAll, djgen.preview), which its
 * code lenses and fallback code actions invoke: registered once in VS Code and sent to the server
 * of the folder holding the command's models.py, which runs generators → merge → WorkspaceEdit.
 *
 * The language client would register them itself, once per client; with one client per workspace
 * folder the second registration fails, so the clients leave commands to this router.
 */
import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import { uriArgument } from "./commandArguments";
import type { SessionManager } from "./manager";

export class ServerCommandRouter implements vscode.Disposable {
  private readonly registered = new Map<string, vscode.Disposable>();

  constructor(
    private readonly manager: SessionManager,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Registers the commands the running servers advertise (idempotent). */
  update(): void {
    for (const session of this.manager.all()) {
      const commands = session.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
      for (const command of commands) {
        if (!this.registered.has(command)) {
          this.registered.set(
            command,
            vscode.commands.registerCommand(command, (...args: unknown[]) => this.route(command, args)),
          );
        }
      }
    }
  }

  async route(command: string, args: unknown[]): Promise<unknown> {
    const uri = uriArgument(args);
    const session = this.manager.sessionFor(uri ? vscode.Uri.parse(uri) : undefined);
    if (!session?.client || session.state.kind !== "running") {
      void vscode.window.showWarningMessage(
        "djgen's language server is not running for this file's folder; see the djgen output.",
      );
      return undefined;
    }
    try {
      return await session.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`${command} failed: ${message}`);
      void vscode.window.showErrorMessage(`djgen: ${message}`);
      return undefined;
    }
  }

  dispose(): void {
    this.registered.forEach((d) => d.dispose());
    this.registered.clear();
  }
}
