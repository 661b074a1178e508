import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import type { DockerOptions, ImageInfo, ImageInspectInfo } from 'dockerode';

// Everything that needs dockerode (with ssh2, grpc-js and protobufjs, most of its weight) lives
// behind this module. The extension and CLI bundles leave it out and load dist/engineApi.js on
// first use (esbuild.mjs), so activation does not pay for it; call it through loadEngineApi().
export { buildImage, findEngine, type Engine } from '../convert/buildImage';

/** `GET /images/{name}/json`. */
export async function inspectImage(options: DockerOptions, name: string): Promise<ImageInspectInfo> {
  return new Docker(options).getImage(name).inspect();
}

/** `GET /images/{name}/get`: the image as a `docker save` tar stream. */
export async function saveImage(options: DockerOptions, name: string): Promise<Readable> {
  return (await new Docker(options).getImage(name).get()) as Readable;
}

/** `GET /images/json`. */
export async function listImages(options: DockerOptions): Promise<ImageInfo[]> {
  return new Docker(options).listImages();
}
