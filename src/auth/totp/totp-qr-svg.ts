import QRCode from 'qrcode';

/**
 * The enrolment URI as a standalone SVG QR code, for the page to inline. Rendered on the
 * server so the secret never goes to a third-party QR service. Error correction level M
 * (15%) keeps the symbol small enough for phone cameras at the ~120-character URI length.
 * The SVG contains the secret: serve it with `Cache-Control: no-store` and never log it.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
