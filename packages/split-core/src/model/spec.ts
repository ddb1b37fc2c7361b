// A model is described by plain JSON so that a study can be stored, sent to browsers and
// rebuilt identically by every role. Segments are contiguous ranges of the top-level
// `layers`; a residual block is one top-level layer, so a cut can never fall inside it.

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';
export type Padding = 'same' | 'valid';

export interface Conv2dLayer {
  type: 'conv2d';
  name: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: Padding;
  activation?: Activation;
}

export interface DepthwiseConv2dLayer {
  type: 'depthwiseConv2d';
  name: string;
  kernelSize: number;
  depthMultiplier?: number;
  strides?: number;
  padding?: Padding;
  activation?: Activation;
}

export interface MaxPool2dLayer {
  type: 'maxPool2d';
  name: string;
  poolSize: number;
  strides?: number;
}

export interface GlobalAvgPool2dLayer {
  type: 'globalAvgPool2d';
  name: string;
}

export interface FlattenLayer {
  type: 'flatten';
  name: string;
}

export interface DenseLayer {
  type: 'dense';
  name: string;
  units: number;
  activation?: Activation;
}

export interface ActivationLayer {
  type: 'activation';
  name: string;
  activation: Activation;
}

/** output = activation(body(x) + shortcut(x)); shortcut is identity, or a 1x1 conv when shapes differ. */
export interface ResidualLayer {
  type: 'residual';
  name: string;
  body: InnerLayer[];
  /** 1x1 convolution on the shortcut path; needed when the body changes channels or strides. */
  projection?: { filters: number; strides?: number };
  activation?: Activation;
}

export type InnerLayer =
  | Conv2dLayer
  | DepthwiseConv2dLayer
  | MaxPool2dLayer
  | GlobalAvgPool2dLayer
  | FlattenLayer
  | DenseLayer
  | ActivationLayer;

export type LayerSpec = InnerLayer | ResidualLayer;

export interface ModelSpec {
  name: string;
  /** [height, width, channels] for images, [features] for tabular data. */
  inputShape: number[];
  numClasses: number;
  /** The last layer outputs `numClasses` logits (no softmax: the loss applies it). */
  layers: LayerSpec[];
  /** Default cut per topology: one cut for vanilla, two (client | server | client) for U-shaped. */
  /** multiHop: one cut per participant before the server (the data holder's, then each hop's). */
  defaultCuts: { vanilla: string; uShaped: [string, string]; multiHop?: string[] };
}

/** A cut is given by layer name, or by index into the top-level layers: the cut falls after that layer. */
export type CutPoint = string | number;
