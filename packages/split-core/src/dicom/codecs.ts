import { Decoder as JpegLosslessDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js';

// The compressed pixel formats, each decoded by its maintained codec: CharLS (JPEG-LS),
// OpenJPEG (JPEG 2000) and libjpeg-turbo (baseline JPEG) as WebAssembly, and the cornerstone
// JPEG lossless decoder. A codec's module loads on first use. In Node each factory finds its
// .wasm beside itself; a bundled browser worker says where the bundler put them.

/** Where each codec's .wasm is served (the browser); Node needs none. */
export interface CodecLocations {
  charls?: string;
  openjpeg?: string;
  libjpeg?: string;
}

/** One frame decoded: its size and its samples as little-endian bytes. */
export interface DecodedFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  bytes: Uint8Array;
}

type Factory<M> = (options?: CornerstoneModuleOptions) => Promise<M>;

export class DicomCodecs {
  readonly #locations: CodecLocations;
  #charls?: Promise<CharlsModule>;
  #openjpeg?: Promise<OpenJpegModule>;
  #libjpeg?: Promise<LibJpegModule>;

  constructor(locations: CodecLocations = {}) {
    this.#locations = locations;
  }

  async jpegLs(encoded: Uint8Array): Promise<DecodedFrame> {
    this.#charls ??= load<CharlsModule>(async () => (await import('@cornerstonejs/codec-charls/decodewasmjs')).default, this.#locations.charls);
    const module = await this.#charls;
    return run('JPEG-LS', () => new module.JpegLSDecoder(), encoded, (error) => (typeof error === 'number' && module.getExceptionMessage ? module.getExceptionMessage(error) : undefined));
  }

  async jpeg2000(encoded: Uint8Array): Promise<DecodedFrame> {
    this.#openjpeg ??= load<OpenJpegModule>(async () => (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default, this.#locations.openjpeg);
    const module = await this.#openjpeg;
    try {
      return run('JPEG 2000', () => new module.J2KDecoder(), encoded);
    } catch (error) {
      // An OpenJPEG exception can leave its module's memory unusable: the next file gets a fresh one.
      this.#openjpeg = undefined;
      throw error;
    }
  }

  async jpegBaseline(encoded: Uint8Array): Promise<DecodedFrame> {
    this.#libjpeg ??= load<LibJpegModule>(async () => (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')).default, this.#locations.libjpeg);
    const module = await this.#libjpeg;
    return run('JPEG', () => new module.JPEGDecoder(), encoded);
  }

  /** JPEG lossless (processes 14 and 14 SV1), samples of `bytesPerSample` bytes. */
  jpegLossless(encoded: Uint8Array, width: number, height: number, bytesPerSample: number): DecodedFrame {
    // A copy in a buffer of its own: the decoder takes an ArrayBuffer from offset 0 (and a Node
    // Buffer's slice() is a view into a shared pool, not a copy).
    const copy = new Uint8Array(encoded);
    let samples: Uint8Array | Uint16Array;
    try {
      samples = new JpegLosslessDecoder().decode(copy.buffer, 0, copy.byteLength, bytesPerSample);
    } catch (error) {
      throw new Error(`the JPEG lossless decoder refused the data: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // The decoder's own array: a view of it is enough.
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    if (bytes.length < width * height * bytesPerSample) throw new Error(`the JPEG lossless data holds ${samples.length} samples, the header says ${width}x${height}`);
    return { width, height, bitsPerSample: bytesPerSample * 8, bytes: bytes.subarray(0, width * height * bytesPerSample) };
  }
}

function load<M>(factory: () => Promise<Factory<M>>, location: string | undefined): Promise<M> {
  return factory().then((create) => create(location ? { locateFile: (file) => (file.endsWith('.wasm') ? location : file) } : {}));
}

/** Decodes with a fresh decoder, copies the result out of the codec's memory, and frees the decoder whatever happens. */
function run(format: string, create: () => CornerstoneDecoder, encoded: Uint8Array, explain?: (error: unknown) => string | undefined): DecodedFrame {
  const decoder = create();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const decoded = decoder.getDecodedBuffer();
    const expected = info.width * info.height * info.componentCount * (info.bitsPerSample > 8 ? 2 : 1);
    // OpenJPEG reports some failures on stdout only, leaving an empty frame: check what came back.
    if (!(info.width > 0 && info.height > 0) || decoded.length < expected) throw new Error(`no image in the ${format} data`);
    if (info.componentCount !== 1) throw new Error(`the ${format} data holds ${info.componentCount} colour components, not one greyscale`);
    // A view into the codec's memory: copied out (once) before the decoder is freed.
    return { width: info.width, height: info.height, bitsPerSample: info.bitsPerSample, bytes: decoded.slice(0, expected) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : (explain?.(error) ?? `codec error ${String(error)}`);
    throw new Error(`the ${format} decoder refused the data: ${reason}`, { cause: error });
  } finally {
    decoder.delete();
  }
}
