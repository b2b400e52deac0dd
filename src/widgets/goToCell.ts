import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Contents, Session } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/** Where a component was produced, as the library recorded it. */
export interface ICellProvenance {
  notebookPath: string;
  cellId: string | null;
  cellSource: string | null;
  executionCount: number | null;
  kernelId: string | null;
}

/** The notebook cell of a component's provenance, or `null` if not from one. */
export function cellProvenance(
  provenance: Record<string, unknown> | null
): ICellProvenance | null {
  const text = (key: string) =>
    typeof provenance?.[key] === 'string' ? (provenance[key] as string) : null;
  const notebookPath = text('notebook_path');
  if (!notebookPath) {
    return null;
  }
  const count = provenance?.execution_count;
  return {
    notebookPath,
    cellId: text('cell_id'),
    cellSource: text('cell_source'),
    executionCount: typeof count === 'number' ? count : null,
    kernelId: text('kernel_id')
  };
}

/**
 * Open the notebook and scroll to the cell; if the notebook or the cell is
 * gone, show the cell's recorded source instead.
 */
export async function goToCell(options: {
  provenance: ICellProvenance;
  docManager: IDocumentManager;
  contents: Contents.IManager;
  sessions: Session.IManager;
  trans: TranslationBundle;
}): Promise<void> {
  const { provenance, docManager, trans } = options;
  const path = await resolveServerPath(
    provenance,
    options.contents,
    options.sessions
  );
  const widget = path ? docManager.openOrReveal(path) : undefined;
  if (!(widget instanceof NotebookPanel)) {
    return showRecordedSource(provenance, trans);
  }
  await widget.context.ready;
  await widget.revealed;
  const notebook = widget.content;
  const index = notebook.widgets.findIndex(
    cell => cell.model.id === provenance.cellId
  );
  if (index < 0) {
    return showRecordedSource(provenance, trans);
  }
  notebook.activeCellIndex = index;
  await notebook.scrollToCell(notebook.widgets[index], 'center');
  notebook.activate();
}

/**
 * The server path of the recorded notebook. Kernels get an absolute path
 * (`JPY_SESSION_NAME`); the contents API wants one relative to the root.
 */
async function resolveServerPath(
  provenance: ICellProvenance,
  contents: Contents.IManager,
  sessions: Session.IManager
): Promise<string | null> {
  const recorded = provenance.notebookPath;
  if (!recorded.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(recorded)) {
    return recorded;
  }
  const normalized = recorded.replace(/\\/g, '/');
  const root = PageConfig.getOption('serverRoot').replace(/\\/g, '/');
  if (root && !root.startsWith('~') && normalized.startsWith(`${root}/`)) {
    return normalized.slice(root.length + 1);
  }
  if (root.startsWith('~/')) {
    const marker = `/${root.slice(2)}/`;
    const at = normalized.indexOf(marker);
    if (at >= 0) {
      return normalized.slice(at + marker.length);
    }
  }
  for (const session of sessions.running()) {
    if (provenance.kernelId && session.kernel?.id === provenance.kernelId) {
      return session.path;
    }
  }
  // Longest suffix that exists under the root.
  const parts = normalized.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const candidate = parts.slice(i).join('/');
    try {
      await contents.get(candidate, { content: false });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

async function showRecordedSource(
  provenance: ICellProvenance,
  trans: TranslationBundle
): Promise<void> {
  const body = document.createElement('div');
  body.className = 'tb-CellSourceDialog';
  const note = document.createElement('p');
  note.textContent = trans.__(
    'The cell is no longer in %1. This is the source it had when it ran:',
    PathExt.basename(provenance.notebookPath)
  );
  const pre = document.createElement('pre');
  pre.className = 'tb-CellSourceDialog-source';
  pre.textContent = provenance.cellSource ?? trans.__('(not recorded)');
  body.append(note, pre);
  await showDialog({
    title: trans.__('Recorded cell'),
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
