import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import { TrialbookClient } from '../api/client';
import { MIME_TYPES } from '../mime/payload';
import { IInlineContext, TrialbookRenderer } from '../mime/renderer';
import { ITrialbookBridge, ITrialbookClient, ITrialbookModel } from '../tokens';

/**
 * Below text/html (50) and image/png (90): where Trialbook is installed its
 * live view wins over the static fallbacks saved beside it.
 */
export const INLINE_RENDERER_RANK = 20;

/**
 * Inline rich displays and live charts in notebook and console outputs. A
 * normal plugin (not a mime extension) so renderers reach the comm bridge,
 * the live model, the commands and the theme.
 */
export const mimePlugin: JupyterFrontEndPlugin<void> = {
  id: 'trialbook:mime',
  description: 'Inline Trialbook views and live charts in cell outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry, ITrialbookClient],
  optional: [ITrialbookModel, ITrialbookBridge, ITranslator, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    client: TrialbookClient,
    model: ITrialbookModel | null,
    bridge: ITrialbookBridge | null,
    translator: ITranslator | null,
    themeManager: IThemeManager | null
  ): void => {
    const themeChanged = new Signal<unknown, void>(app);
    themeManager?.themeChanged.connect(() =>
      // The new theme's CSS variables apply on the next frame.
      requestAnimationFrame(() => themeChanged.emit())
    );
    const context: IInlineContext = {
      client,
      model,
      bridge,
      commands: app.commands,
      trans: (translator ?? nullTranslator).load('trialbook'),
      themeChanged
    };
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: Object.values(MIME_TYPES),
        defaultRank: INLINE_RENDERER_RANK,
        createRenderer: options => new TrialbookRenderer(options, context)
      },
      INLINE_RENDERER_RANK
    );
  }
};
