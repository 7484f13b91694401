"""Every action code of the audit log (``AuditEntry.action``) and its Japanese label: the one mapping the audit
log, the members' log and anything else that names an action read. The codes stay as they are stored (and as the
archived export carries them); people see the labels. tests/test_history_display.py checks that every code the
code writes has a label."""

ACTION_LABELS: dict[str, str] = {
    # part transitions (workflow/services.py)
    "submit_for_review": "審査依頼",
    "return": "差戻し",
    "start_revision": "修正の開始",
    "approve": "承認",
    "reopen": "再開",
    # consequences of an edit
    "approval_voided": "承認の取消し（編集による）",
    "review_withdrawn": "審査の取下げ（編集による）",
    "signoffs_voided": "署名の無効化",
    # edits (drafting services: edit_ + Revision.Action)
    "edit_create": "編集（追加）",
    "edit_update": "編集（更新）",
    "edit_delete": "編集（削除）",
    # comments
    "comment": "コメント",
    "comment_resolved": "コメントの解決",
    # the edition
    "sign_off": "署名（最終承認）",
    "submit": "提出",
    # the yearly cycle (workflow/yearly.py)
    "national_evaluation": "国の評価の記録",
    "rollover": "次年度の評価書の作成",
    "set_print_options": "印刷設定の変更",
    # the archive (archive/services.py)
    "correct": "訂正版の作成",
    "superseded": "訂正版による置き換え",
    "verify": "保存ファイルの検証",
    # members (workflow/signals.py)
    "role_granted": "役割の付与",
    "role_changed": "役割の変更",
    "role_revoked": "役割の削除",
}


def action_label(code: str) -> str:
    """「承認」 for 'approve'; an unknown code is shown as it is (never hidden)."""
    return ACTION_LABELS.get(code, code)
