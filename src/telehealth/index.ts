/** Telehealth: video visits (src/telehealth/video). */
export * from './video/index.js';
