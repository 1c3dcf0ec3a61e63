/** Overlay rendering: masks, click markers and boxes drawn over a frame. */
export * from './overlayColor';
export * from './paintMask';
export * from './drawPointMarker';
export * from './drawBoxOutline';
export * from './renderOverlayRgb';
export * from './renderOverlay';
export * from './previewImage';
