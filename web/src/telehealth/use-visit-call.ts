import { useCallback, useEffect, useRef, useState } from 'react';
import { iceServers, type RoomState } from './visit-api';

/** Close codes of the server (src/telehealth/video/signaling-hub.ts) that mean: do not retry. */
const FINAL = new Set([4000, 4001, 4002, 4003]);

type Signal =
  | { type: 'signal'; description: RTCSessionDescriptionInit }
  | { type: 'signal'; candidate: RTCIceCandidateInit };

declare global {
  interface Window {
    /** The current peer connection, for the browser tests' getStats (nothing else reads it). */
    __havenVisitPc?: RTCPeerConnection;
  }
}

/**
 * One side of a visit: the signaling socket (reconnecting after a dropped network, same room),
 * and a peer connection with the ICE servers Haven issued. The clinician offers whenever the
 * patient's connection is new (admission, or the patient came back); the patient answers each
 * offer with a fresh connection. Media flows peer to peer, DTLS-SRTP encrypted.
 */
export function useVisitCall(room: string, local: MediaStream | undefined, relayOnly: boolean) {
  const [state, setState] = useState<RoomState>();
  const [remote, setRemote] = useState<MediaStream>();
  const [ended, setEnded] = useState(false);
  const [problem, setProblem] = useState<string>();
  const ws = useRef<WebSocket>(undefined);
  const pc = useRef<RTCPeerConnection>(undefined);
  const lastPeer = useRef<string | null>(null);
  const ice = useRef<RTCIceServer[]>([]);

  const send = (m: object) => {
    if (ws.current?.readyState === WebSocket.OPEN) ws.current.send(JSON.stringify(m));
  };

  const newConnection = useCallback(() => {
    pc.current?.close();
    const c = new RTCPeerConnection({
      iceServers: ice.current,
      iceTransportPolicy: relayOnly ? 'relay' : 'all',
    });
    for (const track of local?.getTracks() ?? []) c.addTrack(track, local!);
    c.onicecandidate = (e) => {
      if (e.candidate) send({ type: 'signal', candidate: e.candidate.toJSON() });
    };
    c.ontrack = (e) => setRemote(e.streams[0] ?? new MediaStream([e.track]));
    pc.current = c;
    window.__havenVisitPc = c;
    return c;
  }, [local, relayOnly]);

  useEffect(() => {
    if (!local) return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const onState = async (s: RoomState) => {
      setState(s);
      if (s.role !== 'clinician' || !s.admitted || !s.patientPresent || s.peer === null) return;
      if (s.peer === lastPeer.current) return;
      lastPeer.current = s.peer;
      const c = newConnection();
      await c.setLocalDescription(await c.createOffer());
      send({ type: 'signal', description: c.localDescription!.toJSON() });
    };
    const onSignal = async (m: Signal) => {
      if ('description' in m) {
        if (m.description.type === 'offer') {
          const c = newConnection();
          await c.setRemoteDescription(m.description);
          await c.setLocalDescription(await c.createAnswer());
          send({ type: 'signal', description: c.localDescription!.toJSON() });
        } else await pc.current?.setRemoteDescription(m.description);
      } else if (pc.current?.remoteDescription) {
        await pc.current.addIceCandidate(m.candidate).catch(() => undefined);
      }
    };
    const connect = async () => {
      try {
        ice.current = (await iceServers(room)).iceServers;
      } catch {
        setProblem('The visit could not be reached. Check your connection.');
      }
      if (stopped) return;
      const socket = new WebSocket(
        `wss://${location.host}/api/visits/${encodeURIComponent(room)}/signal`,
      );
      ws.current = socket;
      let queue = Promise.resolve();
      socket.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as
          RoomState | Signal | { type: string; code?: string };
        queue = queue.then(async () => {
          if (m.type === 'state') await onState(m as RoomState);
          else if (m.type === 'signal') await onSignal(m as Signal);
          else if (m.type === 'ended') setEnded(true);
        });
      };
      socket.onclose = (e) => {
        if (stopped) return;
        if (e.code === 4000) {
          setEnded(true);
          return;
        }
        if (FINAL.has(e.code)) {
          setProblem('This visit was opened somewhere else.');
          return;
        }
        // A dropped network: come back to the same room (the server still knows us).
        lastPeer.current = null;
        retry = setTimeout(() => void connect(), 1000);
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      ws.current?.close(1000, 'left');
      pc.current?.close();
    };
  }, [room, local, newConnection]);

  useEffect(() => {
    if (!ended) return;
    pc.current?.close();
    for (const t of local?.getTracks() ?? []) t.stop();
  }, [ended, local]);

  return {
    state,
    remote,
    ended,
    problem,
    admit: () => send({ type: 'admit' }),
    hangup: () => {
      send({ type: 'hangup' });
    },
  };
}
