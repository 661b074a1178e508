import type { TemplateCompat } from '../../core/template/renderContainerFiles';
import { installApp } from '../template/installApp';

/**
 * Renders `<app>/run.json` and `<app>/lxc.container.conf` from the src.json just written, exactly
 * as `pvr app add` does after resolving the image (the pvr 037 renderer of `core/template`).
 * Returns the files written; a render failure throws (pvr exits 3 then).
 */
export async function renderAppTemplates(
  checkout: string,
  app: string,
  compat?: TemplateCompat,
): Promise<string[]> {
  const r = await installApp({ root: checkout, app, ...(compat ? { compat } : {}) });
  if (r.error) throw new Error(r.error);
  return r.written;
}
