/**
 * balena device types and architectures, and the Docker platform pvr should pick for each.
 * Only the slugs balena projects actually name (the shared corpus, balena's docs) are listed; an
 * unknown slug is reported and the conversion goes on without a target platform.
 */

/** balena architecture names (`%%BALENA_ARCH%%`, `io.balena.features.requires.arch.sw`). */
export type BalenaArch = 'rpi' | 'armv7hf' | 'aarch64' | 'amd64' | 'i386' | 'i386-nlp';

/** Device type slug → architecture. */
export const DEVICE_TYPE_ARCH: Readonly<Record<string, BalenaArch>> = {
  'raspberry-pi': 'rpi',
  'raspberry-pi2': 'armv7hf',
  raspberrypi3: 'armv7hf',
  'raspberrypi3-64': 'aarch64',
  'raspberrypi4-64': 'aarch64',
  'raspberrypi400-64': 'aarch64',
  raspberrypi5: 'aarch64',
  'raspberrypi0-2w-64': 'aarch64',
  'raspberrypicm4-ioboard': 'aarch64',
  fincm3: 'armv7hf',
  'beaglebone-black': 'armv7hf',
  'beaglebone-green': 'armv7hf',
  'beaglebone-green-wifi': 'armv7hf',
  'beaglebone-green-gateway': 'armv7hf',
  'beaglebone-pocket': 'armv7hf',
  'asus-tinker-board': 'armv7hf',
  'asus-tinker-board-s': 'armv7hf',
  'odroid-c1': 'armv7hf',
  'nanopi-neo-air': 'armv7hf',
  'intel-nuc': 'amd64',
  'genericx86-64': 'amd64',
  'genericx86-64-ext': 'amd64',
  'generic-amd64': 'amd64',
  'qemux86-64': 'amd64',
  'generic-aarch64': 'aarch64',
  'coral-dev': 'aarch64',
  'jetson-nano': 'aarch64',
  'jetson-nano-emmc': 'aarch64',
  'jetson-nano-2gb-devkit': 'aarch64',
  'jetson-tx2': 'aarch64',
  'jetson-xavier': 'aarch64',
  'jetson-xavier-nx-devkit': 'aarch64',
  'jetson-xavier-nx-devkit-emmc': 'aarch64',
  'jetson-orin-nano-devkit-nvme': 'aarch64',
  'jetson-orin-nx-xavier-nx-devkit': 'aarch64',
  'jetson-agx-orin-devkit-64gb': 'aarch64',
  qemux86: 'i386',
};

/** Architecture → the `os/arch[/variant]` pvr matches against an image's manifest list. */
export const ARCH_PLATFORM: Readonly<Record<BalenaArch, string>> = {
  rpi: 'linux/arm/v6',
  armv7hf: 'linux/arm/v7',
  aarch64: 'linux/arm64',
  amd64: 'linux/amd64',
  i386: 'linux/386',
  'i386-nlp': 'linux/386',
};

/** The architecture of a device type, or undefined for a slug we do not know. */
export function archOf(deviceType: string): BalenaArch | undefined {
  return Object.prototype.hasOwnProperty.call(DEVICE_TYPE_ARCH, deviceType)
    ? DEVICE_TYPE_ARCH[deviceType]
    : undefined;
}
