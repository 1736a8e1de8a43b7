/** The stylesheet of the HTML transcript: a light Slack-like channel (inlined, no external assets). */
export const TRANSCRIPT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1c1d;background:#fff}
.channel{position:sticky;top:0;background:#fff;border-bottom:1px solid #e2e2e2;padding:12px 20px;font-weight:900;font-size:18px;z-index:1}
.log{padding:8px 0 40px;max-width:980px}
.msg{display:flex;gap:8px;padding:8px 20px}
.msg:hover{background:#f8f8f8}
.avatar{flex:0 0 36px;height:36px;border-radius:6px;color:#fff;font-weight:700;font-size:14px;display:flex;align-items:center;justify-content:center}
.content{flex:1;min-width:0}
.meta{display:flex;align-items:baseline;gap:6px}
.name{font-weight:900}
.app{font-size:10px;font-weight:700;color:#616061;background:#e8e8e8;border-radius:2px;padding:0 3px}
.time{font-size:12px;color:#616061}
.edited{font-size:12px;color:#616061;margin-left:4px}
.b-header{font-weight:900;font-size:18px;margin:4px 0}
.b-divider{border:0;border-top:1px solid #e2e2e2;margin:8px 0}
.b-section{display:flex;gap:12px;margin:4px 0}
.b-main{flex:1;min-width:0}
.b-text{white-space:normal;word-wrap:break-word}
.b-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:4px}
.b-context{font-size:13px;color:#616061;margin:4px 0;display:flex;flex-wrap:wrap;gap:8px}
.b-actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.b-input{margin:10px 0}
.b-input label{display:block;font-weight:700;margin-bottom:4px}
.optional,.hint{font-weight:400;color:#616061;font-size:13px}
.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:700;font-size:14px;background:#fff;color:#1d1c1d}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{color:#e01e5a;border-color:#e01e5a}
.btn.small{padding:0 6px;font-size:12px}
.select,.input{border:1px solid #bbb;border-radius:4px;padding:6px 10px;min-width:220px;display:flex;justify-content:space-between;gap:8px;background:#fff}
.input.multiline{min-height:60px}
.placeholder{color:#868686}
.chip{background:#e8f5fa;border-radius:3px;padding:0 4px}
.caret{color:#616061}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{font-family:Monaco,Menlo,Consolas,monospace;font-size:12px;color:#e01e5a;background:#f6f6f6;border:1px solid #e2e2e2;border-radius:3px;padding:1px 3px}
pre{font-family:Monaco,Menlo,Consolas,monospace;font-size:12px;background:#f8f8f8;border:1px solid #e2e2e2;border-radius:4px;padding:8px;white-space:pre-wrap}
blockquote{margin:0;padding-left:10px;border-left:4px solid #ddd}
a{color:#1264a3}
.thread{margin-left:64px;border-left:2px solid #e2e2e2;padding-left:4px}
.thread-count{font-size:13px;color:#1264a3;font-weight:700;padding:2px 16px}
.msg.reply .avatar{flex-basis:28px;height:28px;font-size:12px}
.ephemeral{background:#f8f8f8}
.only-you{font-size:12px;color:#616061}
.note{font-size:13px;color:#616061;padding:4px 20px 4px 64px}
.note.error{color:#e01e5a}
.values{border-collapse:collapse;margin-top:4px}
.values th{text-align:left;font-weight:600;padding:1px 12px 1px 0;color:#616061}
.values td{color:#1d1c1d}
.modal-wrap{padding:6px 0}
.modal{margin:4px 20px 8px 64px;max-width:520px;border-radius:8px;box-shadow:0 0 0 1px rgba(0,0,0,.13),0 8px 24px rgba(0,0,0,.2);background:#fff}
.modal-title{font-weight:900;font-size:20px;padding:16px 20px;border-bottom:1px solid #e2e2e2;display:flex;justify-content:space-between}
.modal-title .x{color:#616061;font-weight:400}
.modal-body{padding:12px 20px}
.modal-footer{display:flex;justify-content:flex-end;gap:8px;padding:12px 20px;border-top:1px solid #e2e2e2}
.reactions{margin-top:4px}
.reaction{display:inline-block;border:1px solid #e2e2e2;border-radius:12px;padding:0 6px;font-size:12px}
.file{margin-top:4px;border:1px solid #e2e2e2;border-radius:6px;padding:6px 10px;display:inline-block}
.command code{color:#1d1c1d}
`;
