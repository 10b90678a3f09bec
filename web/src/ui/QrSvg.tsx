import { useEffect, useRef } from 'react';

const ALLOWED = new Set(['svg', 'path', 'rect', 'g']);

/**
 * The server's QR code (an SVG of paths). It is parsed as SVG and checked to hold shapes only
 * before it is shown, so no markup other than drawing can reach the page.
 */
export function QrSvg({ svg, label }: { svg: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const root = doc.documentElement;
    const safe =
      root.nodeName === 'svg' &&
      [...root.querySelectorAll('*')].every((el) => ALLOWED.has(el.nodeName)) &&
      [root, ...root.querySelectorAll('*')].every((el) =>
        [...el.attributes].every((a) => !/^on|^href$|^xlink:|^style$/i.test(a.name)),
      );
    host.replaceChildren();
    if (!safe) return;
    const node = document.importNode(root, true);
    node.setAttribute('width', '200');
    node.setAttribute('height', '200');
    node.setAttribute('aria-hidden', 'true');
    host.appendChild(node);
  }, [svg]);
  return <div ref={ref} role="img" aria-label={label} className="haven-qr" />;
}
