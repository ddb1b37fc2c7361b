// Names for what the dashboard saves: the study's name as a readable slug, so a folder of
// exports from several studies stays sorted and unambiguous.

export function slug(text: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 60).replace(/-+$/, '') || 'study';
}

export function exportFileName(studyName: string, what: string, extension: string): string {
  return `${slug(studyName)}-${slug(what)}.${extension}`;
}
