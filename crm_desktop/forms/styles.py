"""The look shared by forms, panels and settings: field errors, required marks, the inactive banner."""

ERROR_STYLE = "color: #b00020;"
REQUIRED_MARK = "<span style='color:#c62828;'>&nbsp;*</span>"
BANNER_STYLE = ("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c36c;"
                " border-radius: 3px; padding: 6px 8px; }")
