import { useEffect, useMemo } from 'react';

// Thumbnails of the clinician's own files, shown straight from the File through blob: URLs
// (the browser decodes them for <img>; nothing is uploaded). URLs are revoked when the set
// of shown files changes or the page goes away, or every preview would leak its images.

export function useObjectUrls(files: ReadonlyMap<string, Blob>, paths: readonly string[]): ReadonlyMap<string, string> {
  const key = paths.join('\u0000');
  const urls = useMemo(() => {
    const map = new Map<string, string>();
    for (const path of key === '' ? [] : key.split('\u0000')) {
      const file = files.get(path);
      if (file && !map.has(path)) map.set(path, URL.createObjectURL(file));
    }
    return map;
  }, [files, key]);
  useEffect(() => () => urls.forEach((url) => URL.revokeObjectURL(url)), [urls]);
  return urls;
}
