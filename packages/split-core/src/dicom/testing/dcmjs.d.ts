// dcmjs ships no type declarations: the part of it the tests' file writer uses.
declare module 'dcmjs' {
  type Dataset = Record<string, unknown>;
  interface DicomDictInstance {
    dict: Dataset;
    write(options?: { fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Dataset) => DicomDictInstance;
      DicomMetaDictionary: { denaturalizeDataset(dataset: Dataset): Dataset; uid(): string };
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
