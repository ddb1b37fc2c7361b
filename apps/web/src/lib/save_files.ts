// Saves files the page holds in memory as ordinary downloads. Each file gets its own
// blob: URL, revoked once the browser has had the chance to start the download (revoking
// at once can cancel it in some browsers).

const REVOKE_AFTER_MS = 60_000;

export function saveFiles(files: readonly { name: string; bytes: ArrayBuffer }[], mimeType = 'application/octet-stream'): void {
  for (const file of files) {
    const url = URL.createObjectURL(new Blob([file.bytes], { type: file.name.endsWith('.json') ? 'application/json' : mimeType }));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
