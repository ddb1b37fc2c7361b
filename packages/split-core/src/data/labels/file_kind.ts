// Which files are worth decoding. The extension decides here; the worker still tries to
// decode each image and reports the ones that fail (a renamed or corrupt file). DICOM files
// from a PACS or a modality often have no extension at all, or a UID for a name (whose last
// dot-part is a number): those are tried too, and the worker reads them by their content.

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'dcm', 'dicom', 'dic']);

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function extensionOf(path: string): string {
  const name = nameOf(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Why a file is left out before decoding, or undefined when it is worth decoding. */
export function notAnImage(path: string): string | undefined {
  if (nameOf(path).startsWith('.')) return 'hidden file';
  if (nameOf(path).toUpperCase() === 'DICOMDIR') return 'a DICOMDIR (the index of a DICOM folder), not an image';
  const extension = extensionOf(path);
  if (IMAGE_EXTENSIONS.has(extension) || extension === '' || /^\d+$/.test(extension)) return undefined;
  return 'not a PNG, JPEG or DICOM image';
}

/** A PNG or JPEG by its name: what a browser's <img> shows, and what has no DICOM header. */
export function isPlainImagePath(path: string): boolean {
  return ['png', 'jpg', 'jpeg'].includes(extensionOf(path));
}

export function isCsvPath(path: string): boolean {
  return extensionOf(path) === 'csv';
}
