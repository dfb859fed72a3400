// receipt-ui.js — "notified at T, acknowledged at T2, receipt verified": the
// receipt line of a site or a movement. Each receipt (notified_seq,
// acknowledged_seq) is fetched from GET /api/v1/log/proof/{seq} and checked
// here in the browser (receipt.js); the exact JSON that was checked can be
// downloaded.
import { t } from './i18n.js';
import { h, clear } from './dom.js';
import { timeEl } from './time.js';
import { fetchAndVerify, verifyReceipt, serverKey } from './receipt.js';

const blobUrls = new Map(); // seq → object URL of the checked receipt's JSON

function downloadLink(id, which, v) {
  const a = h('a', { class: 'rc-download', 'data-testid': `receipt-download-${which}`, 'data-seq': String(v.seq || '') },
    which === 'ack' ? t('receipt.download_ack') : t('receipt.download'));
  if (v.text && v.seq) {
    let url = blobUrls.get(v.seq);
    if (!url) { url = URL.createObjectURL(new Blob([v.text], { type: 'application/json' })); blobUrls.set(v.seq, url); }
    a.href = url;
    a.download = `truce-receipt-${id}-${v.seq}.json`;
    a.type = 'application/json';
  }
  return a;
}

function reasonText(v) {
  switch (v.reason) {
    case 'unsupported': return t('receipt.unsupported');
    case 'fetch': return t('receipt.fetch_failed');
    case 'wrong_event': return t('receipt.wrong_event');
    case 'leaf': return t('receipt.bad_leaf');
    case 'proof': return t('receipt.bad_proof');
    case 'signature': return t('receipt.bad_signature');
    default: return t('receipt.malformed');
  }
}

function detailTitle(v) {
  if (!v.ok || !v.event || !v.head) return '';
  return t('receipt.detail', { seq: v.event.seq, kind: v.event.kind, subject: v.event.subject, size: v.head.size, time: v.head.timestamp });
}

// The receipt line of item (a site or a movement object). Verification runs
// in the background; the line's data-state says where it is:
// checking → verified | failed | unsupported.
export function receiptLine(item, { kind = 'site' } = {}) {
  const el = h('div', { class: 'receipt', 'data-testid': `receipt-${item.id}`, 'data-state': 'checking' });
  const status = h('span', { class: 'rc-status', 'data-testid': 'receipt-status', role: 'status' }, t('receipt.checking'));
  const links = h('span', { class: 'rc-links' });
  el.append(
    item.notified_at ? h('span', { class: 'rc-part rc-notified', 'data-testid': 'receipt-notified' }, t('receipt.notified_at'), ' ', timeEl(item.notified_at)) : null,
    item.acknowledged_at
      ? h('span', { class: 'rc-part rc-ack', 'data-testid': 'receipt-acknowledged' }, t('receipt.acknowledged_at'), ' ', timeEl(item.acknowledged_at))
      : h('span', { class: 'rc-part rc-ack is-pending', 'data-testid': 'receipt-not-acknowledged' }, kind === 'nostrike' ? '' : t('receipt.not_acknowledged')),
    status, links);
  const seqs = [['notified', item.notified_seq]];
  if (Number.isInteger(item.acknowledged_seq)) seqs.push(['ack', item.acknowledged_seq]);
  Promise.all(seqs.map(([, seq]) => fetchAndVerify(seq, { subject: item.id }))).then((vs) => {
    const bad = vs.find((v) => !v.ok);
    clear(links);
    vs.forEach((v, i) => { if (v.text) links.append(downloadLink(item.id, seqs[i][0], v)); });
    if (!bad) {
      el.dataset.state = 'verified';
      status.textContent = vs.length > 1 ? t('receipt.verified_both') : t('receipt.verified');
      status.title = vs.map(detailTitle).join('\n');
    } else {
      el.dataset.state = bad.reason === 'unsupported' ? 'unsupported' : 'failed';
      el.dataset.reason = bad.reason || '';
      status.textContent = bad.reason === 'unsupported' ? reasonText(bad) : t('receipt.not_verified', { why: reasonText(bad) });
    }
  });
  return el;
}

// A receipt that came with a write reply: checked at once, then a line
// ("receipt verified: event N in the log of M events").
export function replyReceipt(id, receipt) {
  const el = h('p', { class: 'receipt', 'data-testid': 'reply-receipt', 'data-state': 'checking' }, t('receipt.checking'));
  if (!receipt) { el.dataset.state = 'failed'; el.textContent = t('receipt.none'); return el; }
  serverKey().then((key) => verifyReceipt(receipt, key, { subject: id })).catch(() => ({ ok: false, reason: 'fetch' })).then((v) => {
    const text = JSON.stringify(receipt, null, 1);
    clear(el);
    if (v.ok) {
      el.dataset.state = 'verified';
      el.append(h('span', { class: 'rc-status' }, t('receipt.verified')), ' ', h('span', { class: 'hint' }, detailTitle(v)));
    } else {
      el.dataset.state = v.reason === 'unsupported' ? 'unsupported' : 'failed';
      el.append(h('span', { class: 'rc-status' }, t('receipt.not_verified', { why: reasonText(v) })));
    }
    el.append(' ', downloadLink(id, 'notified', { text, seq: receipt.seq }));
  });
  return el;
}
