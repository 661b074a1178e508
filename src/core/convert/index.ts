/**
 * balena project → pvr checkout conversion (pure). The platform layer reads the project, builds
 * images and writes the files; see `platform/convert/`.
 */
export {
  convertBalenaProject,
  parseImageRef,
  prettyJson,
  type ConvertInput,
  type ConvertResult,
  type BuildPlan,
  type KnownImage,
} from './convertBalenaProject';
export {
  renderReportMarkdown,
  strictFailures,
  type ConversionReport,
  type ReportEntry,
  type ReportProblem,
  type ImageImport,
  type ReportContainer,
  type OutcomeKind,
} from './ConversionReport';
export { resolveDockerfile, substituteBuildVariables, type ResolvedDockerfile } from './dockerfile';
export { archOf, ARCH_PLATFORM, DEVICE_TYPE_ARCH, type BalenaArch } from './deviceTypes';
export { containerNames } from './containerNames';
export { mappingTableMarkdown } from './mappingTableMarkdown';
