// Which files are worth decoding. The extension decides here; the worker still tries to
// decode each image and reports the ones that fail (a renamed or corrupt file).

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg']);

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extensionOf(path));
}

export function isCsvPath(path: string): boolean {
  return extensionOf(path) === 'csv';
}
