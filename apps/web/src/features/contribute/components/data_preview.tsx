import { useEffect, useRef, type ReactNode } from 'react';
import { Notice } from '../../../components/notice';
import { PageSection } from '../../../components/page_section';
import { formatCount } from '../../../lib/format';
import { useObjectUrls } from '../../../lib/use_object_urls';
import type { Skipped } from '../../../worker/messages';
import type { DatasetPreview, PickedSummary } from '../contribute_state';
import { skippedAdvice } from '../error_advice';

/** Long skip lists are cut here; the count above the list stays exact. */
const MAX_SKIPPED_SHOWN = 200;

interface PreviewClass {
  name: string;
  count: number;
  train?: number;
  val?: number;
  samplePaths: string[];
  decoded?: DecodedThumbnailImage[];
}

interface DecodedThumbnailImage {
  path: string;
  height: number;
  width: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** An image the browser cannot show from its file (DICOM), drawn as the model takes it: windowed and resized in the worker. */
function DecodedThumbnail({ image, label }: { image: DecodedThumbnailImage; label: string }): ReactNode {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const rgba = new ImageData(image.width, image.height);
    for (let p = 0; p < image.width * image.height; p++) {
      const at = p * image.channels;
      const [r, g, b] = image.channels === 3 ? [image.pixels[at], image.pixels[at + 1], image.pixels[at + 2]] : [image.pixels[at], image.pixels[at], image.pixels[at]];
      rgba.data.set([r ?? 0, g ?? 0, b ?? 0, 255], p * 4);
    }
    context.putImageData(rgba, 0, 0);
  }, [image]);
  return <canvas ref={canvas} width={image.width} height={image.height} role="img" aria-label={label} className="decoded-thumbnail" />;
}

export interface DataPreviewProps {
  picked: PickedSummary | undefined;
  dataset: DatasetPreview | undefined;
  decode: { done: number; total: number } | undefined;
  skipped: Skipped[];
  files: ReadonlyMap<string, File>;
  studyKnown: boolean;
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function Thumbnails({ item, urls }: { item: PreviewClass; urls: ReadonlyMap<string, string> }): ReactNode {
  return (
    <ul className="thumbnails" aria-label={`Examples of ${item.name}`}>
      {item.samplePaths.map((path) => {
        const decoded = item.decoded?.find((image) => image.path === path);
        if (decoded) {
          return (
            <li key={path}>
              <DecodedThumbnail image={decoded} label={`${item.name}: ${fileName(path)} (as the model sees it)`} />
            </li>
          );
        }
        const url = urls.get(path);
        return url === undefined ? null : (
          <li key={path}>
            <img src={url} alt={`${item.name}: ${fileName(path)}`} width={72} height={72} />
          </li>
        );
      })}
    </ul>
  );
}

function ClassTable({ classes, matched }: { classes: PreviewClass[]; matched: boolean }): ReactNode {
  return (
    <table className="class-table" aria-label={matched ? 'Images per study class' : 'Images per class found in your files'}>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Images</th>
          {matched && <th scope="col">For training</th>}
          {matched && <th scope="col">Kept here for validation</th>}
        </tr>
      </thead>
      <tbody>
        {classes.map((item) => (
          <tr key={item.name}>
            <th scope="row">{item.name}</th>
            <td>{formatCount(item.count)}</td>
            {matched && <td>{formatCount(item.train ?? 0)}</td>}
            {matched && <td>{formatCount(item.val ?? 0)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What was left out and why; `what` names the entries ("files", "rows"). */
export function SkippedList({ skipped, what = 'files' }: { skipped: Skipped[]; what?: string }): ReactNode {
  const shown = skipped.slice(0, MAX_SKIPPED_SHOWN);
  return (
    <details className="skipped" open={skipped.length <= 20}>
      <summary>
        Skipped {what} ({formatCount(skipped.length)})
      </summary>
      <ul aria-label={`Skipped ${what}`}>
        {shown.map((entry) => (
          <li key={`${entry.path}:${entry.reason}`}>
            <code>{entry.path}</code>: {entry.reason}
          </li>
        ))}
        {skipped.length > shown.length && <li>…and {formatCount(skipped.length - shown.length)} more</li>}
      </ul>
    </details>
  );
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** How the picked files got their labels; files a CSV lists by SOP Instance UID are labelled once the worker reads them. */
function pickedSentence(picked: PickedSummary): string {
  const byUid = picked.byUidCount ?? 0;
  const byUidText = `${plural(byUid, 'file')} to label from the CSV by SOP Instance UID, once read on this device.`;
  if (byUid > 0 && picked.imageCount === 0) return byUidText;
  const found = `${plural(picked.imageCount, 'image')} with labels from ${picked.labelSource === 'csv' ? 'the CSV file' : 'folder names'}.`;
  return byUid > 0 ? `${found} ${byUidText}` : found;
}

export function DataPreview({ picked, dataset, decode, skipped, files, studyKnown }: DataPreviewProps): ReactNode {
  const classes: PreviewClass[] = dataset ? dataset.classes : (picked?.found ?? []);
  const urls = useObjectUrls(files, classes.flatMap((item) => item.samplePaths));
  if (!picked) {
    return (
      <PageSection step={3} title="Check your images">
        <p className="hint">After you choose images, their classes and counts appear here.</p>
      </PageSection>
    );
  }
  const checking = decode !== undefined && decode.done < decode.total;
  return (
    <PageSection step={3} title="Check your images">
      <p>
        {pickedSentence(picked)}
        {!dataset && !studyKnown && ' Find your study to check them against its classes.'}
      </p>
      {decode && (
        <div className="field">
          <label htmlFor="decode-progress">Images checked</label>
          <progress id="decode-progress" max={Math.max(decode.total, 1)} value={decode.done} />
          <span className="hint">
            {formatCount(decode.done)} of {formatCount(decode.total)}
            {checking ? '…' : ''}
          </span>
        </div>
      )}
      {dataset && (
        <p>
          Ready: {formatCount(dataset.trainCount)} images for training and {formatCount(dataset.valCount)} kept on this device for validation.
        </p>
      )}
      {classes.length > 0 && <ClassTable classes={classes} matched={dataset !== undefined} />}
      <div className="class-examples">
        {classes
          .filter((item) => item.samplePaths.length > 0)
          .map((item) => (
            <figure key={item.name}>
              <figcaption>{item.name}</figcaption>
              <Thumbnails item={item} urls={urls} />
            </figure>
          ))}
      </div>
      {picked.csvProblems.length > 0 && (
        <Notice tone="warning" title="Some CSV rows could not be read" next="Fix these rows in the CSV and choose it again." detail={picked.csvProblems.slice(0, 10).join('; ')} />
      )}
      {picked.csvRowsWithoutFile.length > 0 && (
        <Notice
          tone="info"
          title={`${picked.csvRowsWithoutFile.length} CSV rows name files that were not chosen`}
          next="If those images should be included, choose the folder that holds them."
          detail={picked.csvRowsWithoutFile.slice(0, 10).join(', ')}
        />
      )}
      {dataset?.uidsWithoutFile && dataset.uidsWithoutFile.length > 0 && (
        <Notice
          tone="info"
          title={`${plural(dataset.uidsWithoutFile.length, 'CSV row')} ${dataset.uidsWithoutFile.length === 1 ? 'names a SOP Instance UID' : 'name SOP Instance UIDs'} that none of the chosen files has`}
          next="If those images should be included, choose the folder that holds them."
          detail={dataset.uidsWithoutFile.slice(0, 10).join(', ')}
        />
      )}
      {skipped.length > 0 && (
        <>
          <Notice tone="warning" {...skippedAdvice(skipped.length)} />
          <SkippedList skipped={skipped} />
        </>
      )}
      {dataset?.notes && dataset.notes.length > 0 && (
        <details className="skipped">
          <summary>Used with a remark ({formatCount(dataset.notes.length)})</summary>
          <ul aria-label="Files used with a remark">
            {dataset.notes.slice(0, MAX_SKIPPED_SHOWN).map((entry) => (
              <li key={entry.path}>
                <code>{entry.path}</code>: {entry.note}
              </li>
            ))}
          </ul>
        </details>
      )}
    </PageSection>
  );
}
