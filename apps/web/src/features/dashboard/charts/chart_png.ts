import type uPlot from 'uplot';

// A chart as a PNG that stands on its own in a report: title and study on top, the uPlot
// canvas (axes and curves), and the series names with their colours underneath (uPlot's
// legend is HTML, not part of the canvas).

export interface PngLegendEntry {
  label: string;
  color: string;
}

export function chartPng(plot: uPlot, title: string, subtitle: string, legend: readonly PngLegendEntry[]): Promise<Blob> {
  const source = plot.ctx.canvas;
  // uPlot draws at devicePixelRatio; scale the text the same way.
  const ratio = plot.width > 0 ? source.width / plot.width : 1;
  const padding = 12 * ratio;
  const titleBand = 52 * ratio;
  const legendBand = 28 * ratio;
  const canvas = document.createElement('canvas');
  canvas.width = source.width + 2 * padding;
  canvas.height = source.height + titleBand + legendBand + padding;
  const context = canvas.getContext('2d');
  if (!context) return Promise.reject(new Error('this browser cannot draw the PNG (no 2D canvas)'));
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#1d2430';
  context.textBaseline = 'top';
  context.font = `600 ${16 * ratio}px system-ui, sans-serif`;
  context.fillText(title, padding, padding);
  context.fillStyle = '#5b6576';
  context.font = `${12 * ratio}px system-ui, sans-serif`;
  context.fillText(subtitle, padding, padding + 22 * ratio);
  context.drawImage(source, padding, titleBand);
  let x = padding;
  const y = titleBand + source.height + 8 * ratio;
  for (const entry of legend) {
    context.fillStyle = entry.color;
    context.fillRect(x, y + 4 * ratio, 14 * ratio, 4 * ratio);
    x += 18 * ratio;
    context.fillStyle = '#1d2430';
    context.fillText(entry.label, x, y);
    x += context.measureText(entry.label).width + 16 * ratio;
  }
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
}
