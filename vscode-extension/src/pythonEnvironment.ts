/**
 * The Python extension's view of a folder's interpreter (its active environment), when the Python
 * extension is installed; one input to interpreter discovery (see interpreter.ts) before the server
 * that turns models.py into generated code can start.
 */
import * as vscode from "vscode";
import type { PythonExtension } from "@vscode/python-extension";

export const PYTHON_EXTENSION_ID = "ms-python.python";

export class PythonEnvironments implements vscode.Disposable {
  private api: PythonExtension | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Whether the Python extension is installed (it may still be activating). */
  get available(): boolean {
    return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
  }

  private async load(): Promise<PythonExtension | undefined> {
    if (this.api || !this.available) {
      return this.api;
    }
    try {
      const { PythonExtension } = await import("@vscode/python-extension");
      this.api = await PythonExtension.api();
    } catch (error) {
      this.log.warn(`The Python extension's API is not usable: ${String(error)}`);
    }
    return this.api;
  }

  /** The executable of the active environment for `folder`, or undefined. */
  async activeInterpreter(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
    const api = await this.load();
    if (!api) {
      return undefined;
    }
    try {
      const envPath = api.environments.getActiveEnvironmentPath(folder.uri);
      const env = await api.environments.resolveEnvironment(envPath);
      return env?.executable.uri?.fsPath ?? envPath.path;
    } catch (error) {
      this.log.warn(`Could not resolve the Python extension's environment for ${folder.name}: ${String(error)}`);
      return undefined;
    }
  }

  /** Calls `listener` with the affected folder (undefined: all) when an active environment changes. */
  async onDidChange(listener: (folder: vscode.WorkspaceFolder | undefined) => void): Promise<void> {
    const api = await this.load();
    if (!api) {
      return;
    }
    this.disposables.push(
      api.environments.onDidChangeActiveEnvironmentPath((event) => {
        const resource = event.resource;
        const folder =
          resource === undefined
            ? undefined
            : "uri" in resource
              ? (resource as vscode.WorkspaceFolder)
              : vscode.workspace.getWorkspaceFolder(resource as vscode.Uri);
        listener(folder);
      }),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
