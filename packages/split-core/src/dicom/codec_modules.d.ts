// The cornerstone codecs ship Emscripten factories without type declarations: the part of
// their embind interface this project calls.

interface CornerstoneFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CornerstoneFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface CornerstoneEncoder {
  getDecodedBuffer(frameInfo: CornerstoneFrameInfo): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
  setQuality?(lossless: boolean | number, quality?: number): void;
  setNearLossless?(near: number): void;
  setDecompositions?(count: number): void;
  setCompressionRatio?(layer: number, ratio: number): void;
  setProgressive?(progressive: number): void;
}

interface CornerstoneModuleOptions {
  locateFile?: (file: string, prefix: string) => string;
  wasmBinary?: Uint8Array | ArrayBuffer;
}

interface CharlsModule {
  JpegLSDecoder: new () => CornerstoneDecoder;
  JpegLSEncoder: new () => CornerstoneEncoder;
  getExceptionMessage?: (pointer: number) => string;
}
interface OpenJpegModule {
  J2KDecoder: new () => CornerstoneDecoder;
  J2KEncoder: new () => CornerstoneEncoder;
}
interface LibJpegModule {
  JPEGDecoder: new () => CornerstoneDecoder;
  JPEGEncoder: new () => CornerstoneEncoder;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<CharlsModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<CharlsModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<OpenJpegModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<OpenJpegModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<LibJpegModule>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: (options?: CornerstoneModuleOptions) => Promise<LibJpegModule>;
  export default factory;
}
