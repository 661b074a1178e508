/**
 * The pvr `builtin-lxc-docker` template renderer: src.json in, the exact run.json and
 * lxc.container.conf pvr 037 writes out (see `../shared/docs/pvr-template.md`). Pure; callers do
 * the file I/O (`platform/template/installApp.ts` for a pvr checkout).
 */
export {
  renderContainerFiles,
  effectiveGroup,
  type RenderOptions,
  type RenderResult,
  type RenderFailure,
  type SrcJsonInput,
  type BaseStatus,
  type TemplateCompat,
  type TemplateWarning,
  type PvrSource,
} from './renderContainerFiles';
export { JsonNumber, toGoValue, type GoValue, type GoMap } from './goValue';
export { isValidGoJson, parseGoJson, nodeToGoValue } from './goJsonDecode';
