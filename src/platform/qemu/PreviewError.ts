/** Why a preview could not start or ended badly; each kind has a message that says what to do. */
export type PreviewErrorKind =
  | 'bad-profile'
  | 'qemu-not-found'
  | 'image-missing'
  | 'not-a-disk-image'
  | 'file-missing'
  | 'firmware-missing'
  | 'port-in-use'
  | 'kvm-unavailable'
  | 'early-exit'
  | 'spawn-failed';

export class PreviewError extends Error {
  constructor(
    readonly kind: PreviewErrorKind,
    message: string,
    /** The last console lines, for `early-exit`. */
    readonly consoleTail?: string,
  ) {
    super(message);
    this.name = 'PreviewError';
  }
}
