import type { AppSource } from '../../core/image/srcJson';

/**
 * THE single call site for rendering `<app>/run.json` and `<app>/lxc.container.conf` from src.json
 * after an import, exactly as `pvr app add` does. The pvr 037 template renderer is being written
 * in `src/core/template/` on another branch; until it is merged this renders nothing and returns
 * no files. Wire it here (and nowhere else) when it lands.
 */
export function renderAppTemplates(_checkout: string, _app: string, _src: AppSource): Promise<string[]> {
  return Promise.resolve([]);
}
