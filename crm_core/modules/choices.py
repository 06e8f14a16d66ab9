"""Fixed choice lists shared by several modules (statuses and the like)."""

from crm_core.metadata import choices

CUSTOMER_STATUS = choices(
    ("prospect", "潜在客户", "Prospect"),
    ("interested", "意向客户", "Interested"),
    ("won", "成交客户", "Won"),
    ("lost", "流失客户", "Lost"),
    ("reactivated", "激活客户", "Reactivated"),
)
LEVEL = choices(("A", "A（高价值）", "A (high value)"), ("B", "B", "B"), ("C", "C", "C"),
                aliases={"A": ("重要客户", "重点客户", "VIP", "VIP客户", "大客户", "高价值", "Key account"),
                         "B": ("普通客户", "一般客户", "Regular")})
CONTACT_STATUS = choices(("employed", "在职", "Employed"), ("left", "离职", "Left"))
DELIVERY_STATUS = choices(("pending", "未交付", "Not delivered"), ("partial", "部分交付", "Partly delivered"),
                          ("delivered", "已交付", "Delivered"))
FEEDBACK_TYPE = choices(("complaint", "产品投诉", "Complaint"), ("suggestion", "服务建议", "Suggestion"),
                        ("praise", "表扬", "Praise"))
TICKET_STATUS = choices(("open", "待处理", "Open"), ("in_progress", "处理中", "In progress"),
                        ("resolved", "已解决", "Resolved"), ("closed", "已关闭", "Closed"))
NEED_TYPE = choices(("consulting", "产品咨询", "Product enquiry"), ("support", "技术支持", "Technical support"),
                    ("customization", "合作定制", "Custom development"))
PRIORITY = choices(("high", "高", "High"), ("medium", "中", "Medium"), ("low", "低", "Low"))
NEED_STATE = choices(("open", "待处理", "Open"), ("in_progress", "处理中", "In progress"),
                     ("done", "已完成", "Done"), ("closed", "已关闭", "Closed"))
OPPORTUNITY_STAGE = choices(
    ("lead", "初步接洽", "Lead"), ("qualified", "需求确认", "Qualified"), ("proposal", "方案报价", "Proposal"),
    ("negotiation", "商务谈判", "Negotiation"), ("won", "赢单", "Won"), ("lost", "输单", "Lost"),
)
