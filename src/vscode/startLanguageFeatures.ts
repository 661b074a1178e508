import type { Ctx } from './ctx';

/** Starts diagnostics, completion and hover for Pantavisor revisions. */
export function startLanguageFeatures(_ctx: Ctx): void {
  // Filled in by the revision language service.
}
