<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Backups</name>
    <message>
        <source>Choose the backup to restore</source>
        <translation>选择要恢复的备份</translation>
    </message>
    <message>
        <source>CRM backups (*.sqlite3 *.dump)</source>
        <translation>CRM 备份 (*.sqlite3 *.dump)</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <source>The whole database will be replaced by the backup %1.</source>
        <translation>整个数据库将被备份 %1 替换。</translation>
    </message>
    <message>
        <source>A safety backup of the current state is taken first. Everyone else should sign out of the CRM before you go on.</source>
        <translation>恢复前会先自动备份当前状态。继续之前，请其他用户先退出 CRM。</translation>
    </message>
    <message>
        <source>Type the database name %1 to confirm:</source>
        <translation>请输入数据库名称 %1 以确认：</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>By</source>
        <translation>执行人</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <source>On this server the backups are made by the server&apos;s scheduled job (crm-admin backup --verify, run by the server administrator); the runs it recorded are listed here.</source>
        <translation>此服务器的备份由服务器上的定时任务完成（由服务器管理员运行 crm-admin backup --verify）；这里列出它记录的备份。</translation>
    </message>
    <message>
        <source>Restoring… (a safety backup is taken first)</source>
        <translation>正在恢复…（先备份当前状态）</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Daily backup</source>
        <translation>每日自动备份</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Open windows show the data as it was before; sign in again if your account changed.</source>
        <translation>已打开的窗口仍显示恢复前的数据；如果您的账户有变化，请重新登录。</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <source>Changed by someone else</source>
        <translation>记录已被他人修改</translation>
    </message>
    <message>
        <source>Choose for each field which value to keep, then save. Nothing you typed is lost unless you choose Reload.</source>
        <translation>请逐项选择要保留的值，然后保存。除非选择“重新加载”，您输入的内容不会丢失。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Your value</source>
        <translation>您的值</translation>
    </message>
    <message>
        <source>Their value</source>
        <translation>对方的值</translation>
    </message>
    <message>
        <source>(saved by %1 at %2)</source>
        <translation>（%1 于 %2 保存）</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <source>Theirs</source>
        <translation>对方的</translation>
    </message>
    <message>
        <source>&amp;Reload (discard mine)</source>
        <translation>重新加载，放弃我的修改(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Overwrite with mine</source>
        <translation>用我的值覆盖(&amp;O)</translation>
    </message>
    <message>
        <source>Save &amp;chosen values</source>
        <translation>保存所选的值(&amp;C)</translation>
    </message>
    <message>
        <source>Back to the form</source>
        <translation>返回表单</translation>
    </message>
    <message>
        <source>Discard your changes and show the saved record.</source>
        <translation>放弃您的修改，显示已保存的记录。</translation>
    </message>
    <message>
        <source>Save every value of yours over theirs.</source>
        <translation>用您的全部值覆盖对方保存的值。</translation>
    </message>
    <message>
        <source>Save the values chosen in the Keep column.</source>
        <translation>保存“保留”列中选定的值。</translation>
    </message>
</context>
<context>
    <name>Customer360</name>
    <message>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>设为失效</translation>
    </message>
    <message>
        <source>Reactivated</source>
        <translation>恢复有效</translation>
    </message>
    <message>
        <source>Shared</source>
        <translation>共享</translation>
    </message>
    <message>
        <source>Sharing ended</source>
        <translation>取消共享</translation>
    </message>
    <message>
        <source>Erased</source>
        <translation>个人信息已删除</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>From</source>
        <translation>原状态</translation>
    </message>
    <message>
        <source>To</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Status changes</source>
        <translation>客户状态变更记录</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>变更内容</translation>
    </message>
    <message>
        <source>Operation log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <source>%1 of %2 seats in use</source>
        <translation>已使用 %1 个授权，共购买 %2 个</translation>
    </message>
    <message>
        <source>This license has expired</source>
        <translation>该授权已过期</translation>
    </message>
    <message>
        <source>This license expires within 30 days</source>
        <translation>该授权将在 30 天内到期</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Licenses</source>
        <translation>产品授权</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>客户反馈</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <source>Needs</source>
        <translation>客户需求</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <translation>销售机会</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Customer 360°</source>
        <translation>客户全景视图</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>Open the customer&apos;s form</source>
        <translation>打开客户资料表单</translation>
    </message>
    <message>
        <source>Change &amp;status…</source>
        <translation>更改状态(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Contracts total</source>
        <translation>合同总额</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已回款</translation>
    </message>
    <message>
        <source>Outstanding</source>
        <translation>未回款</translation>
    </message>
    <message>
        <source>Valid seats in use</source>
        <translation>有效授权使用数</translation>
    </message>
    <message>
        <source>Licenses valid today: %1 of %2 seats in use. All licenses, expired ones included: %3 of %4.</source>
        <translation>当前有效的授权：已使用 %1 / 共 %2 个。包括已过期的全部授权：已使用 %3 / 共 %4 个。</translation>
    </message>
    <message>
        <source>Open tickets</source>
        <translation>未结反馈</translation>
    </message>
    <message>
        <source>Licenses: seats show as used / bought; red: expired; amber: expires within 30 days.</source>
        <translation>授权个数显示为“已用 / 购买”；红色：已过期；黄色：30 天内到期。</translation>
    </message>
    <message>
        <source>Customer 360° — %1</source>
        <translation>客户全景视图 — %1</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>My customers</source>
        <translation>我的客户</translation>
    </message>
    <message>
        <source>All customers</source>
        <translation>全部客户</translation>
    </message>
    <message>
        <source>Last 12 months</source>
        <translation>近 12 个月</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <source>Click to open these records.</source>
        <translation>单击打开这些记录。</translation>
    </message>
    <message>
        <source>%1 %2 points vs previous period (%3)</source>
        <translation>较上期 %1 %2 个百分点（上期 %3）</translation>
    </message>
    <message>
        <source>Previous period: %1</source>
        <translation>上期：%1</translation>
    </message>
    <message>
        <source>%1 %2 vs previous period (%3)</source>
        <translation>较上期 %1 %2（上期 %3）</translation>
    </message>
    <message>
        <source>Sales funnel</source>
        <translation>销售漏斗</translation>
    </message>
    <message>
        <source>Active opportunities per stage with their expected amount, now (not limited to the period). Click a stage to open them.</source>
        <translation>各阶段当前有效的销售机会及预计金额（不受所选期间限制）。点击阶段可打开这些机会。</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 个 · %2</translation>
    </message>
</context>
<context>
    <name>Duplicates</name>
    <message>
        <source>same name</source>
        <translation>名称相同</translation>
    </message>
    <message>
        <source>same phone</source>
        <translation>电话相同</translation>
    </message>
    <message>
        <source>same credit code</source>
        <translation>统一社会信用代码相同</translation>
    </message>
    <message>
        <source>, owner %1</source>
        <translation>，跟进人 %1</translation>
    </message>
    <message>
        <source>This customer may already exist:</source>
        <translation>该客户可能已经存在：</translation>
    </message>
    <message>
        <source>This contact is already there:</source>
        <translation>该联系人已经存在：</translation>
    </message>
    <message>
        <source>Click one to open it instead of adding it twice.</source>
        <translation>点击打开已有记录，不要重复添加。</translation>
    </message>
</context>
<context>
    <name>Editors</name>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日，如 2026-11-22</translation>
    </message>
    <message>
        <source>Pick a date</source>
        <translation>选择日期</translation>
    </message>
    <message>
        <source>YYYY-MM-DD HH:MM</source>
        <translation>年-月-日 时:分</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>EmptyHint</name>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Import from Excel…</source>
        <translation>从 Excel 导入…</translation>
    </message>
    <message>
        <source>No records match the search or filters.</source>
        <translation>没有符合搜索或筛选条件的记录。</translation>
    </message>
    <message>
        <source>Change the search words or clear the filters.</source>
        <translation>请修改搜索词，或清除筛选条件。</translation>
    </message>
    <message>
        <source>There are no records in %1 yet.</source>
        <translation>“%1”中还没有记录。</translation>
    </message>
    <message>
        <source>Click “New” to add the first one, or import a list from Excel.</source>
        <translation>点击“新建”添加第一条，或从 Excel 导入一份名单。</translation>
    </message>
    <message>
        <source>Click “New” to add the first one.</source>
        <translation>点击“新建”添加第一条。</translation>
    </message>
    <message>
        <source>Records appear here once colleagues have added them.</source>
        <translation>同事添加记录后会显示在这里。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Please check your input</source>
        <translation>请检查输入内容</translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>无权操作</translation>
    </message>
    <message>
        <source>Changed by someone else</source>
        <translation>记录已被他人修改</translation>
    </message>
    <message>
        <source>Still in use</source>
        <translation>仍在使用中</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Record deactivated</source>
        <translation>记录已失效</translation>
    </message>
    <message>
        <source>Saved, with a warning</source>
        <translation>已保存，但有警告</translation>
    </message>
    <message>
        <source>Database busy</source>
        <translation>数据库忙</translation>
    </message>
    <message>
        <source>Database unavailable</source>
        <translation>数据库不可用</translation>
    </message>
    <message>
        <source>Database version mismatch</source>
        <translation>数据库版本不匹配</translation>
    </message>
    <message>
        <source>Configuration error</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <source>Please correct the following:</source>
        <translation>请修改以下内容：</translation>
    </message>
    <message>
        <source>Tried %1 times automatically.</source>
        <translation>已自动重试 %1 次。</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>Something went wrong inside CRM Desktop. What you typed is still there; you can keep working, but please tell your administrator.</source>
        <translation>CRM 客户管理程序内部出错。已输入的内容仍然保留，您可以继续工作，但请告知管理员。</translation>
    </message>
    <message>
        <source>A report was saved to:
%1</source>
        <translation>错误报告已保存到：
%1</translation>
    </message>
    <message>
        <source>The report could not be saved.</source>
        <translation>错误报告无法保存。</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>Welcome to CRM Desktop</source>
        <translation>欢迎使用 CRM 客户管理</translation>
    </message>
    <message>
        <source>This database has no user yet. Create the administrator account; the administrator then adds the other users.</source>
        <translation>该数据库还没有任何用户。请先创建管理员账户，再由管理员添加其他用户。</translation>
    </message>
    <message>
        <source>&amp;Login name:</source>
        <translation>登录名(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>姓名(&amp;F)：</translation>
    </message>
    <message>
        <source>P&amp;hone:</source>
        <translation>电话(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>Password (&amp;again):</source>
        <translation>确认密码(&amp;A)：</translation>
    </message>
    <message>
        <source>at least 8 characters, letters and digits</source>
        <translation>至少 8 个字符，须包含字母和数字</translation>
    </message>
    <message>
        <source>&amp;Create administrator</source>
        <translation>创建管理员(&amp;C)</translation>
    </message>
    <message>
        <source>Creating the administrator…</source>
        <translation>正在创建管理员…</translation>
    </message>
</context>
<context>
    <name>GridTools</name>
    <message>
        <source>Bulk actions</source>
        <translation>批量操作</translation>
    </message>
    <message>
        <source>Act on the selected rows</source>
        <translation>对选中的行执行操作</translation>
    </message>
    <message>
        <source>Assign owner…</source>
        <translation>分配跟进人…</translation>
    </message>
    <message>
        <source>Change status…</source>
        <translation>更改状态…</translation>
    </message>
    <message>
        <source>Deactivate…</source>
        <translation>设为失效…</translation>
    </message>
    <message>
        <source>Selection too large</source>
        <translation>选中的行太多</translation>
    </message>
    <message>
        <source>Only %1 of the %2 selected rows are still loaded. Select fewer rows, or use a filter and select them on one screen.</source>
        <translation>选中的 %2 行中只有 %1 行已载入。请少选一些行，或先用筛选条件让它们显示在同一屏内再选。</translation>
    </message>
    <message>
        <source>No rows selected</source>
        <translation>未选中任何行</translation>
    </message>
    <message>
        <source>Select one or more rows first.</source>
        <translation>请先选中一行或多行。</translation>
    </message>
    <message>
        <source>Assign %1 records</source>
        <translation>分配 %1 条记录</translation>
    </message>
    <message>
        <source>New owner:</source>
        <translation>新跟进人：</translation>
    </message>
    <message>
        <source>Change the status of %1 records</source>
        <translation>更改 %1 条记录的状态</translation>
    </message>
    <message>
        <source>New status:</source>
        <translation>新状态：</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Deactivate %1 records</source>
        <translation>将 %1 条记录设为失效</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>失效原因：</translation>
    </message>
    <message>
        <source>Delete “%1”?</source>
        <translation>删除“%1”？</translation>
    </message>
    <message>
        <source>Delete %1 records?</source>
        <translation>删除 %1 条记录？</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>删除后无法恢复。</translation>
    </message>
    <message>
        <source>Nothing was changed:</source>
        <translation>未做任何修改：</translation>
    </message>
    <message>
        <source>%1 of %2 records could not be changed:</source>
        <translation>%2 条记录中有 %1 条未能修改：</translation>
    </message>
    <message>
        <source>Some records were not changed</source>
        <translation>部分记录未修改</translation>
    </message>
    <message>
        <source>Columns shown:</source>
        <translation>显示的列：</translation>
    </message>
    <message>
        <source>Default columns</source>
        <translation>恢复默认列</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>%1 from</source>
        <translation>%1 从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Filtered from the dashboard</source>
        <translation>已按看板筛选</translation>
    </message>
    <message>
        <source>Remove this filter and show all records</source>
        <translation>取消此筛选，显示全部记录</translation>
    </message>
    <message>
        <source>Shown in the filter bar</source>
        <translation>条件已显示在筛选栏中</translation>
    </message>
    <message>
        <source>%1 is one of %2</source>
        <translation>%1 为 %2 之一</translation>
    </message>
    <message>
        <source>%1 contains %2</source>
        <translation>%1 包含 %2</translation>
    </message>
    <message>
        <source>%1 is empty</source>
        <translation>%1 为空</translation>
    </message>
    <message>
        <source>%1 is not empty</source>
        <translation>%1 不为空</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>视图</translation>
    </message>
    <message>
        <source>Save the columns, sort, filters and search of this list under a name, and bring them back with one click</source>
        <translation>把此列表的列、排序、筛选和搜索保存为命名视图，一键恢复</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>保存视图</translation>
    </message>
    <message>
        <source>Name of this view:</source>
        <translation>视图名称：</translation>
    </message>
    <message>
        <source>Save current view…</source>
        <translation>保存当前视图…</translation>
    </message>
    <message>
        <source>Delete view</source>
        <translation>删除视图</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Add records from an Excel or CSV file</source>
        <translation>从 Excel 或 CSV 文件批量导入记录</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save this list, as filtered and sorted, as Excel, CSV or PDF</source>
        <translation>按当前筛选和排序把列表导出为 Excel、CSV 或 PDF</translation>
    </message>
    <message>
        <source>The list cannot be sorted by %1: with many records that would read every one of them. Use the filters or the search to narrow the list.</source>
        <extracomment>the whole record dict of the row the record&apos;s id the column&apos;s :class:`~crm_core.metadata.Field` the raw (unformatted, possibly masked) value</extracomment>
        <translation>不能按“%1”排序：记录多时需要读取全部记录。请用筛选或搜索缩小范围。</translation>
    </message>
    <message>
        <source>%1 is shown masked for your role, so the list cannot be sorted by it.</source>
        <translation>您的角色只能看到部分“%1”，不能按此列排序。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>My follow-ups due today or overdue</source>
        <extracomment>``open_record(module, record_id)``</extracomment>
        <translation>我今天到期和逾期的跟进</translation>
    </message>
    <message>
        <source>Tickets assigned to me</source>
        <translation>分配给我的客户反馈</translation>
    </message>
    <message>
        <source>Licenses expiring within 30 days</source>
        <translation>30 天内到期的产品授权</translation>
    </message>
    <message>
        <source>Opportunities closing this month</source>
        <translation>本月预计成交的销售机会</translation>
    </message>
    <message>
        <source>Reminders since you signed in</source>
        <translation>登录后新到期的提醒</translation>
    </message>
    <message>
        <source>Planned for</source>
        <translation>计划日期</translation>
    </message>
    <message>
        <source>Reported on</source>
        <translation>反馈日期</translation>
    </message>
    <message>
        <source>Expires on</source>
        <translation>到期日期</translation>
    </message>
    <message>
        <source>Expected close</source>
        <translation>预计成交</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步计划</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>反馈</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>授权序列号</translation>
    </message>
    <message>
        <source>Opportunity</source>
        <translation>机会</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>%1 (waiting %2 days)</source>
        <translation>%1（已等待 %2 天）</translation>
    </message>
    <message>
        <source>%1 (%2 days overdue)</source>
        <translation>%1（逾期 %2 天）</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open</source>
        <translation>双击或按回车键打开</translation>
    </message>
    <message>
        <source>Nothing here: well done.</source>
        <translation>暂无待办事项。</translation>
    </message>
    <message>
        <source>My work</source>
        <translation>工作台</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Look again now (it also looks every 5 minutes)</source>
        <translation>立即刷新（系统每 5 分钟自动刷新一次）</translation>
    </message>
    <message>
        <source>Your role keeps no to-do lists here; choose a module on the left.</source>
        <translation>您的角色在这里没有待办列表，请从左侧选择模块。</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
</context>
<context>
    <name>Login</name>
    <message>
        <source>CRM Desktop – Sign in</source>
        <translation>CRM 客户管理 – 登录</translation>
    </message>
    <message>
        <source>Checking the system keyring…</source>
        <translation>正在检查系统钥匙串…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>This computer (embedded database)</source>
        <translation>本机（内置数据库）</translation>
    </message>
    <message>
        <source>Company database (set up by your administrator)</source>
        <translation>公司数据库（由系统管理员设置）</translation>
    </message>
    <message>
        <source>The password is kept in the system keyring, never in a file.</source>
        <translation>密码保存在系统钥匙串中，不会写入任何文件。</translation>
    </message>
    <message>
        <source>Remember my password (not possible: this computer has no system keyring)</source>
        <translation>记住密码（无法使用：本机没有系统钥匙串）</translation>
    </message>
    <message>
        <source>No system keyring is available on this computer (for example GNOME Keyring, KWallet or the Windows Credential Manager), so the password cannot be remembered safely.</source>
        <translation>本机没有可用的系统钥匙串（如 GNOME 密钥环、KWallet 或 Windows 凭据管理器），无法安全地记住密码。</translation>
    </message>
    <message>
        <source>The administrator account was created. Sign in with its password.</source>
        <translation>管理员账户已创建，请输入密码登录。</translation>
    </message>
    <message>
        <source>Please enter your login name.</source>
        <translation>请输入登录名。</translation>
    </message>
    <message>
        <source>Please enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation>登录成功。</translation>
    </message>
    <message>
        <source>Cannot reach the database server. Check the network connection and the server address, or ask your administrator.</source>
        <translation>无法连接数据库服务器。请检查网络连接和服务器地址，或联系管理员。</translation>
    </message>
    <message>
        <source>Too many failed sign-ins. Try again in %1 s.</source>
        <translation>登录失败次数过多，请 %1 秒后再试。</translation>
    </message>
    <message>
        <source>Sign in to CRM Desktop</source>
        <translation>登录 CRM 客户管理</translation>
    </message>
    <message>
        <source>&amp;Connect to:</source>
        <translation>连接到(&amp;C)：</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>服务器地址(&amp;A)：</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <source>Database &amp;name:</source>
        <translation>数据库名(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Login name:</source>
        <translation>登录名(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Remember my password on this computer</source>
        <translation>在本机记住密码(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
</context>
<context>
    <name>Mail</name>
    <message>
        <source>Mail server (SMTP)</source>
        <translation>邮件服务器 (SMTP)</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>None</source>
        <translation>不加密</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>加密方式</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>发件人地址</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>empty: the server relays without a login</source>
        <translation>留空：服务器无需登录即可转发</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>send a test message to this address</source>
        <translation>向此地址发送一封测试邮件</translation>
    </message>
    <message>
        <source>Send &amp;test message</source>
        <translation>发送测试邮件(&amp;T)</translation>
    </message>
    <message>
        <source>Type the address the test message goes to.</source>
        <translation>请填写测试邮件的收件地址。</translation>
    </message>
    <message>
        <source>Send queued notices now (%1)</source>
        <translation>立即发送待发通知（%1）</translation>
    </message>
    <message>
        <source>This computer has no keyring to keep the password safely; set CRM_SMTP_PASSWORD for the server&apos;s mail job instead.</source>
        <translation>这台电脑没有可安全保存密码的系统密钥环；请改为在服务器的邮件任务中设置 CRM_SMTP_PASSWORD。</translation>
    </message>
    <message>
        <source>kept in this computer&apos;s keyring; type to replace</source>
        <translation>已保存在本机系统密钥环中；输入新密码可替换</translation>
    </message>
    <message>
        <source>kept only in this computer&apos;s keyring</source>
        <translation>只保存在本机系统密钥环中</translation>
    </message>
    <message>
        <source>The mail settings were saved.</source>
        <translation>邮件设置已保存。</translation>
    </message>
    <message>
        <source>The test message was sent.</source>
        <translation>测试邮件已发送。</translation>
    </message>
    <message>
        <source>Sent %1, failed %2.</source>
        <translation>已发送 %1 封，失败 %2 封。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>CRM Desktop — %1</source>
        <translation>CRM 客户管理 — %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出程序(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Records</source>
        <translation>记录(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About CRM Desktop</source>
        <translation>关于 CRM 客户管理(&amp;A)</translation>
    </message>
    <message>
        <source>Open next steps of your follow-ups due today or earlier</source>
        <translation>打开今天及之前到期、尚未完成的跟进计划</translation>
    </message>
    <message>
        <source>Database on this computer</source>
        <translation>本机数据库</translation>
    </message>
    <message>
        <source>Company database “%1”</source>
        <translation>公司数据库“%1”</translation>
    </message>
    <message>
        <source>Company database</source>
        <translation>公司数据库</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>另有 %1 项</translation>
    </message>
    <message>
        <source>Now due</source>
        <translation>到期提醒</translation>
    </message>
    <message>
        <source>%1 new item(s) due: see My work.</source>
        <translation>有 %1 项新到期事项，请查看工作台。</translation>
    </message>
    <message>
        <source>Record forms are not available in this version yet.</source>
        <translation>此版本尚不能打开记录表单。</translation>
    </message>
    <message>
        <source>Today&apos;s automatic backup was made.</source>
        <translation>今天的自动备份已完成。</translation>
    </message>
    <message>
        <source>Today&apos;s automatic backup failed; see Settings → Backups.</source>
        <translation>今天的自动备份失败，请查看“设置 → 备份”。</translation>
    </message>
    <message>
        <source>About CRM Desktop</source>
        <translation>关于 CRM 客户管理</translation>
    </message>
    <message>
        <source>CRM Desktop — customers, contracts, service and sales follow-up for the office.</source>
        <translation>CRM 客户管理 —— 客户、合同、售后服务与销售跟进的办公软件。</translation>
    </message>
    <message>
        <source>Due today: %1</source>
        <translation>今日待办 %1</translation>
    </message>
</context>
<context>
    <name>Merge</name>
    <message>
        <source>Merge customers</source>
        <translation>合并客户</translation>
    </message>
    <message>
        <source>Merge another customer into %1 (%2). Its contacts, contracts, payments, products, licenses, tickets, follow-ups, needs and opportunities move here; it is deactivated and points here. A merge can be undone.</source>
        <translation>把另一个客户合并到 %1（%2）：它的联系人、合同、回款、产品、授权、反馈、跟进记录、需求和销售机会都移到这里；它将停用并指向这里。合并可以撤销。</translation>
    </message>
    <message>
        <source>&amp;Merge</source>
        <translation>合并(&amp;M)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Customer to merge into this one:</source>
        <translation>要合并进来的客户：</translation>
    </message>
    <message>
        <source>That is this customer itself; choose another.</source>
        <translation>这就是当前客户，请选择另一个。</translation>
    </message>
    <message>
        <source>%1 (%2) will be merged into %3 and deactivated.</source>
        <translation>%1（%2）将合并到 %3 并停用。</translation>
    </message>
    <message>
        <source>&amp;Merge customer…</source>
        <translation>合并客户(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Undo merge…</source>
        <translation>撤销合并(&amp;U)…</translation>
    </message>
    <message>
        <source>Undo merge</source>
        <translation>撤销合并</translation>
    </message>
    <message>
        <source>Move the records of %1 (%2) back from %3 and reactivate it?</source>
        <translation>把 %1（%2）的记录从 %3 移回，并重新启用它？</translation>
    </message>
</context>
<context>
    <name>ModulePage</name>
    <message>
        <source>Show deactivated</source>
        <extracomment>``open_form(module, record_id_or_None[, defaults=dict])``</extracomment>
        <translation>显示已失效</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Search %1…</source>
        <translation>搜索 %1…</translation>
    </message>
    <message>
        <source>about %1 records</source>
        <translation>约 %1 条</translation>
    </message>
    <message>
        <source>1 record</source>
        <translation>共 1 条</translation>
    </message>
    <message>
        <source>%1 records</source>
        <translation>共 %1 条</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>%1: about %2 records</source>
        <translation>%1：约 %2 条记录</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>Attach a file</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Save attachment as</source>
        <translation>附件另存为</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Uploaded</source>
        <translation>上传时间</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Attach a file (at most 20 MB)</source>
        <translation>添加附件（最大 20 MB）</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open a copy of the file with its program</source>
        <translation>用关联的程序打开文件副本</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>&lt;b&gt;Attachments&lt;/b&gt;</source>
        <translation>&lt;b&gt;合同附件&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Attached %1.</source>
        <translation>已添加附件 %1。</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>已保存到 %1。</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>删除附件</translation>
    </message>
    <message>
        <source>Remove %1 from the contract? This cannot be undone.</source>
        <translation>确定从合同中删除 %1 吗？删除后无法恢复。</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Your role may view this but not change it.</source>
        <extracomment>the module whose records the panel changes: its actions need the role&apos;s right to edit them</extracomment>
        <translation>您的角色只能查看，不能在这里操作。</translation>
    </message>
    <message>
        <source>Someone else changed this record meanwhile; it has been reloaded. Please try again.</source>
        <translation>其他人刚刚修改了这条记录，已重新加载，请再操作一次。</translation>
    </message>
    <message>
        <source>Machine</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>机器指纹</translation>
    </message>
    <message>
        <source>In use since</source>
        <translation>启用时间</translation>
    </message>
    <message>
        <source>Computer name</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <source>Machine fingerprint</source>
        <translation>机器指纹</translation>
    </message>
    <message>
        <source>Add machine</source>
        <translation>添加电脑</translation>
    </message>
    <message>
        <source>Release</source>
        <translation>释放授权</translation>
    </message>
    <message>
        <source>Free the seat of the selected machine</source>
        <translation>释放所选电脑占用的授权</translation>
    </message>
    <message>
        <source>&lt;b&gt;Machines using this license&lt;/b&gt;</source>
        <translation>&lt;b&gt;使用该授权的电脑&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Seats used: %1 / %2</source>
        <translation>已用授权：%1 / %2</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>发送失败</translation>
    </message>
    <message>
        <source>Processing steps</source>
        <translation>处理操作</translation>
    </message>
    <message>
        <source>Assign engineer</source>
        <translation>指派工程师</translation>
    </message>
    <message>
        <source>What was done, e.g. called the customer</source>
        <translation>处理了什么，例如：已电话联系客户</translation>
    </message>
    <message>
        <source>Add log entry</source>
        <translation>添加处理过程</translation>
    </message>
    <message>
        <source>How the problem was solved (required)</source>
        <translation>问题是如何解决的（必填）</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>标记已解决</translation>
    </message>
    <message>
        <source>Not rated</source>
        <translation>未评价</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Close ticket</source>
        <translation>关闭反馈</translation>
    </message>
    <message>
        <source>Why the ticket is reopened (required)</source>
        <translation>重新打开的原因（必填）</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>Engineer:</source>
        <translation>工程师：</translation>
    </message>
    <message>
        <source>Log entry:</source>
        <translation>处理过程：</translation>
    </message>
    <message>
        <source>Result:</source>
        <translation>处理结果：</translation>
    </message>
    <message>
        <source>Satisfaction:</source>
        <translation>满意度：</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>处理人</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>处理过程</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>收件人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>&lt;b&gt;Processing log&lt;/b&gt;</source>
        <translation>&lt;b&gt;处理过程&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Notices to the submitter&lt;/b&gt;</source>
        <translation>&lt;b&gt;通知反馈人员&lt;/b&gt;</translation>
    </message>
    <message>
        <source>very satisfied</source>
        <translation>非常满意</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>neutral</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>very dissatisfied</source>
        <translation>非常不满意</translation>
    </message>
    <message>
        <source>Choose an engineer first.</source>
        <translation>请先选择工程师。</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation>未指派</translation>
    </message>
    <message>
        <source>Status: %1 · Engineer: %2</source>
        <translation>状态：%1 · 工程师：%2</translation>
    </message>
    <message>
        <source>The list of engineers could not be loaded.</source>
        <translation>无法加载工程师列表。</translation>
    </message>
    <message>
        <source>The submitter could not be notified; see the notices below.</source>
        <translation>未能通知反馈人员，详见下方通知记录。</translation>
    </message>
    <message>
        <source>The submitter was notified by e-mail.</source>
        <translation>已通过邮件通知反馈人员。</translation>
    </message>
    <message>
        <source>The notice stays queued: %1</source>
        <translation>通知仍在排队：%1</translation>
    </message>
</context>
<context>
    <name>RecordActions</name>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>Add a new record to %1</source>
        <translation>在“%1”中新建一条记录</translation>
    </message>
    <message>
        <source>Your role may not add records to %1</source>
        <translation>您的角色不能在“%1”中新建记录</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Open the selected record to change it</source>
        <translation>打开选中的记录进行修改</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <source>Open the selected record</source>
        <translation>打开选中的记录</translation>
    </message>
    <message>
        <source>double-click</source>
        <translation>双击</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Delete the selected records</source>
        <translation>删除选中的记录</translation>
    </message>
    <message>
        <source>Your role may not delete records of %1</source>
        <translation>您的角色不能删除“%1”中的记录</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Load the list again</source>
        <translation>重新加载列表</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
</context>
<context>
    <name>RecordForm</name>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Generated when saved</source>
        <translation>保存后自动生成</translation>
    </message>
    <message>
        <source>New %1</source>
        <translation>新建%1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <source>Close the form and discard your changes?</source>
        <translation>关闭表单并放弃您的修改吗？</translation>
    </message>
    <message>
        <source>&amp;Discard changes</source>
        <translation>放弃修改(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Keep editing</source>
        <translation>继续编辑(&amp;K)</translation>
    </message>
    <message>
        <source>Hidden for your role: only part of the value is shown, and it cannot be changed here.</source>
        <translation>您的角色无权查看完整内容：仅显示部分，且不能在此修改。</translation>
    </message>
    <message>
        <source>This record is deactivated and read-only. Reason: %1</source>
        <translation>该记录已失效，只读。原因：%1</translation>
    </message>
    <message>
        <source>(none given)</source>
        <translation>（未填写）</translation>
    </message>
    <message>
        <source>Your role may view this record but not change it.</source>
        <translation>您的角色只能查看此记录，不能修改。</translation>
    </message>
    <message>
        <source>Someone deactivated this record meanwhile; your changes cannot be saved.</source>
        <translation>该记录刚被他人设为失效，您的修改无法保存。</translation>
    </message>
</context>
<context>
    <name>RefPicker</name>
    <message>
        <source>Type to search…</source>
        <translation>输入以搜索…</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>Importance</source>
        <translation>重要级别</translation>
    </message>
    <message>
        <source>Industry</source>
        <translation>所属行业</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>跟进人</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>Build report</source>
        <translation>生成报表</translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <source>Building…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Building the report…</source>
        <translation>正在生成报表…</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <source>Generated %1 by %2</source>
        <translation>%2 生成于 %1</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>%1 (chart)</source>
        <translation>%1（图表）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>原密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>At least 8 characters, letters and digits</source>
        <translation>至少 8 个字符，需同时包含字母和数字</translation>
    </message>
    <message>
        <source>&amp;Change password</source>
        <translation>修改密码(&amp;C)</translation>
    </message>
    <message>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>The window switches to the chosen language at once; what you have typed in open forms is kept only if you save it first.</source>
        <translation>窗口会立即切换到所选语言；打开的表单中尚未保存的内容会丢失，请先保存。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>您的密码已修改。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Data dictionary</source>
        <translation>数据字典</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>My account</source>
        <translation>我的账户</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>&amp;Category:</source>
        <translation>类别(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;New entry…</source>
        <translation>新增字典项(&amp;N)…</translation>
    </message>
    <message>
        <source>The two passwords do not match</source>
        <translation>两次输入的密码不一致</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Deactivate…</source>
        <translation>停用(&amp;D)…</translation>
    </message>
    <message>
        <source>Re&amp;activate</source>
        <translation>重新启用(&amp;A)</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>删除(&amp;L)…</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Why is “%1” deactivated?</source>
        <translation>停用“%1”的原因：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cannot delete</source>
        <translation>不能删除</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete “%1” for good? This cannot be undone.</source>
        <translation>确定永久删除“%1”吗？此操作不能撤销。</translation>
    </message>
    <message>
        <source>“%1” was deleted.</source>
        <translation>“%1”已删除。</translation>
    </message>
    <message>
        <source>Deactivate it instead: its records stay as they are, and it is no longer offered for new ones.</source>
        <translation>可以改为停用：已有记录保持不变，新记录中不再提供此项。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新增用户</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Reset password of %1</source>
        <translation>重置 %1 的密码</translation>
    </message>
    <message>
        <source>&amp;New user…</source>
        <translation>新增用户(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Reset password…</source>
        <translation>重置密码(&amp;R)…</translation>
    </message>
    <message>
        <source>Deactivate the account instead: the records stay as they are, and it can no longer sign in.</source>
        <translation>可以改为停用该账户：已有记录保持不变，停用后不能再登录。</translation>
    </message>
    <message>
        <source>User “%1” was created.</source>
        <translation>用户“%1”已创建。</translation>
    </message>
    <message>
        <source>The password of %1 was reset.</source>
        <translation>%1 的密码已重置。</translation>
    </message>
    <message>
        <source>&amp;New field…</source>
        <translation>新增字段(&amp;N)…</translation>
    </message>
</context>
<context>
    <name>StatusDialog</name>
    <message>
        <source>Change customer status</source>
        <translation>更改客户状态</translation>
    </message>
    <message>
        <source>Number of one of this customer&apos;s contracts</source>
        <translation>该客户的一份合同的编号</translation>
    </message>
    <message>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Why the status changes (optional)</source>
        <translation>状态变更的原因（选填）</translation>
    </message>
    <message>
        <source>Current status</source>
        <translation>当前状态</translation>
    </message>
    <message>
        <source>&amp;New status</source>
        <translation>新状态(&amp;N)</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>备注(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Change status</source>
        <translation>更改状态(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>No status change is possible from here.</source>
        <translation>当前状态不能再变更。</translation>
    </message>
    <message>
        <source>Someone else changed this customer meanwhile. Close this dialog; the view shows the current data, then try again.</source>
        <translation>该客户已被他人修改。请关闭此对话框，查看最新数据后重试。</translation>
    </message>
</context>
<context>
    <name>Transfer</name>
    <message>
        <source>Export %1</source>
        <translation>导出%1</translation>
    </message>
    <message>
        <source>The records of the list as currently filtered and sorted.</source>
        <translation>导出列表中按当前筛选和排序的记录。</translation>
    </message>
    <message>
        <source>%1 records of the list, as currently filtered and sorted.</source>
        <translation>导出列表中按当前筛选和排序的 %1 条记录。</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Only the columns shown (%1), in their order</source>
        <translation>仅当前显示的列（%1 列），按显示顺序</translation>
    </message>
    <message>
        <source>All columns (%1)</source>
        <translation>全部列（%1 列）</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>正在导出到 %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>The export failed; no file was written.</source>
        <translation>导出失败，未生成文件。</translation>
    </message>
    <message>
        <source>Exported 1 record to %2.</source>
        <translation>已导出 1 条记录到 %2。</translation>
    </message>
    <message>
        <source>Exported %1 records to %2.</source>
        <translation>已导出 %1 条记录到 %2。</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>已取消导出，未生成文件。</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.csv);;All files (*)</source>
        <translation>电子表格 (*.xlsx *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Check every row</source>
        <translation>逐行检查</translation>
    </message>
    <message>
        <source>A dry run: nothing is saved yet.</source>
        <translation>试运行：此时不会保存任何数据。</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Save error report…</source>
        <translation>保存错误报告…</translation>
    </message>
    <message>
        <source>An Excel file of the bad rows with a reason column and the bad cells marked red, to correct and import again</source>
        <translation>生成只含错误行的 Excel 文件，附“错误原因”列，错误单元格标红；改正后可再次导入</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>Import only the valid rows</source>
        <translation>只导入正确的行</translation>
    </message>
    <message>
        <source>Otherwise such rows are reported as duplicates</source>
        <translation>否则这些行会被报告为重复</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>修改内容</translation>
    </message>
    <message>
        <source>Checking %1 rows…</source>
        <translation>正在检查 %1 行…</translation>
    </message>
    <message>
        <source>New contact of this customer: %1</source>
        <translation>该客户的新联系人：%1</translation>
    </message>
    <message>
        <source>no change</source>
        <translation>无变化</translation>
    </message>
    <message>
        <source>All %1 rows are valid: %2 to create, %3 to change (listed below). Press Import to save them.</source>
        <translation>全部 %1 行有效：新建 %2 条记录，修改 %3 条已有记录（见下表）。点击“导入”保存。</translation>
    </message>
    <message>
        <source>Contacts on those rows: %1 updated, %2 added to their customers.</source>
        <translation>这些行中的联系人：修改 %1 个，为其客户新增 %2 个。</translation>
    </message>
    <message>
        <source>The row is valid. Press Import to save it.</source>
        <translation>该行正确。点击“导入”保存。</translation>
    </message>
    <message>
        <source>All %1 rows are valid. Press Import to save them.</source>
        <translation>%1 行全部正确。点击“导入”保存。</translation>
    </message>
    <message>
        <source>None of the %1 rows can be imported yet: correct the problems listed below and check again.</source>
        <translation>%1 行中还没有可以导入的行：请按下表改正后重新检查。</translation>
    </message>
    <message>
        <source>%1 of %2 rows have problems (listed below). Nothing is imported while any row is wrong: correct the file and check again, or import only the %3 valid rows.</source>
        <translation>共 %2 行，其中 %1 行有错误（见下表）。只要有一行错误就不会导入任何数据：请改正文件后重新检查，或选择只导入 %3 行正确的数据。</translation>
    </message>
    <message>
        <source>The check could not be completed.</source>
        <translation>检查未能完成。</translation>
    </message>
    <message>
        <source>Check cancelled.</source>
        <translation>已取消检查。</translation>
    </message>
    <message>
        <source>%1 - errors.xlsx</source>
        <translation>%1 - 错误报告.xlsx</translation>
    </message>
    <message>
        <source>Save the error report</source>
        <translation>保存错误报告</translation>
    </message>
    <message>
        <source>Error report saved: %1</source>
        <translation>错误报告已保存：%1</translation>
    </message>
    <message>
        <source>Choose the file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Excel (.xlsx) or CSV, our template or your own list: the row of column names is found below titles; choose another if it is wrong.</source>
        <translation>Excel（.xlsx）或 CSV，用模板或您自己的表格均可：标题下方的列名行会被自动找到；如不对，请另选一行。</translation>
    </message>
    <message>
        <source>Save template…</source>
        <translation>下载模板…</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>尚未选择文件</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>The row of the sheet that holds the column names</source>
        <translation>工作表中存放列名的那一行</translation>
    </message>
    <message>
        <source>Import into:</source>
        <translation>导入到：</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Column names in row:</source>
        <translation>列名所在行：</translation>
    </message>
    <message>
        <source>Sheet:</source>
        <translation>工作表：</translation>
    </message>
    <message>
        <source>Reading the file…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <source>Excel workbook</source>
        <translation>Excel 工作簿</translation>
    </message>
    <message>
        <source>CSV file (%1)</source>
        <translation>CSV 文件（%1 编码）</translation>
    </message>
    <message>
        <source>%1: %2 data rows, %3 columns. The first %4 rows are shown below.</source>
        <translation>%1：共 %2 行数据，%3 列。下方显示前 %4 行。</translation>
    </message>
    <message>
        <source>%1: %2 data rows, %3 columns.</source>
        <translation>%1：共 %2 行数据，%3 列。</translation>
    </message>
    <message>
        <source>The file could not be used. Choose another one.</source>
        <translation>无法使用该文件，请选择其他文件。</translation>
    </message>
    <message>
        <source>Choose the file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <source>%1 import template.xlsx</source>
        <translation>%1导入模板.xlsx</translation>
    </message>
    <message>
        <source>Save the import template</source>
        <translation>保存导入模板</translation>
    </message>
    <message>
        <source>Template saved: %1. Fill it in, then choose it here.</source>
        <translation>模板已保存：%1。填写后在此选择该文件。</translation>
    </message>
    <message>
        <source>Match the columns</source>
        <translation>对应列</translation>
    </message>
    <message>
        <source>Choose the field each column of the file goes to. Fields marked * are required.</source>
        <translation>为文件中的每一列选择要导入的字段。带 * 的字段为必填项。</translation>
    </message>
    <message>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>示例</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>导入为</translation>
    </message>
    <message>
        <source>(skip)</source>
        <translation>（不导入）</translation>
    </message>
    <message>
        <source>Chosen for more than one column: %1. Choose each field only once.</source>
        <translation>以下字段被多列重复选择：%1。每个字段只能选择一次。</translation>
    </message>
    <message>
        <source>Required fields without a column: %1. Every row will be reported as incomplete.</source>
        <translation>以下必填字段没有对应的列：%1。每一行都会被报告为不完整。</translation>
    </message>
    <message>
        <source>Choose a field for at least one column.</source>
        <translation>请至少为一列选择字段。</translation>
    </message>
    <message>
        <source>%1 of %2 columns will be imported. Not imported: %3.</source>
        <translation>共 %2 列，将导入其中 %1 列。不导入：%3。</translation>
    </message>
    <message>
        <source>%1 of %2 columns will be imported.</source>
        <translation>共 %2 列，将导入其中 %1 列。</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Undo this import</source>
        <translation>撤销本次导入</translation>
    </message>
    <message>
        <source>Remove every record this import created, as one unit</source>
        <translation>一次性删除本次导入创建的全部记录</translation>
    </message>
    <message>
        <source>Save the rows not imported…</source>
        <translation>保存未导入的行…</translation>
    </message>
    <message>
        <source>An Excel file of the rows left out with a reason column and the bad cells marked red, to correct and import again</source>
        <translation>未导入的行另存为 Excel 文件：末列写明原因，有误的单元格标红，改正后可再次导入</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Imported %1 records.</source>
        <translation>已导入 %1 条记录。</translation>
    </message>
    <message>
        <source>Imported %1 records, with %2 contacts from the same rows.</source>
        <translation>已导入 %1 条记录，并按同一行建立了 %2 个联系人。</translation>
    </message>
    <message>
        <source>%1 contacts were added to the customers updated.</source>
        <translation>为被修改的客户新增了 %1 个联系人。</translation>
    </message>
    <message>
        <source>%1 existing records were updated.</source>
        <translation>已修改 %1 条已有记录。</translation>
    </message>
    <message>
        <source>%1 existing contacts were updated.</source>
        <translation>已修改 %1 个已有联系人。</translation>
    </message>
    <message>
        <source>%1 rows with problems were skipped.</source>
        <translation>跳过了 %1 行有错误的数据。</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>未导入任何数据。</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Nothing was imported: some rows are no longer valid. Run the import again to see them all.</source>
        <translation>未导入任何数据：部分行已不再有效。请重新导入以查看全部问题。</translation>
    </message>
    <message>
        <source>Import cancelled. Nothing was imported.</source>
        <translation>已取消导入，未导入任何数据。</translation>
    </message>
    <message>
        <source>Imported 1 record, with 1 contact from the same row.</source>
        <translation>已导入 1 条记录，并按同一行建立了 1 个联系人。</translation>
    </message>
    <message>
        <source>Imported 1 record.</source>
        <translation>已导入 1 条记录。</translation>
    </message>
    <message>
        <source>Imported %1 records, with 1 contact from the same row.</source>
        <translation>已导入 %1 条记录，并按同一行建立了 1 个联系人。</translation>
    </message>
    <message>
        <source>Remove the %1 records this import created and restore the %2 it updated?</source>
        <translation>删除本次导入新建的 %1 条记录，并恢复被修改的 %2 条记录？</translation>
    </message>
    <message>
        <source>Remove them</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import undone: %1 records removed, %2 restored as they were.</source>
        <translation>已撤销本次导入：删除了 %1 条记录，%2 条记录已恢复原样。</translation>
    </message>
    <message>
        <source>Import undone: %1 records removed.</source>
        <translation>已撤销本次导入：删除了 %1 条记录。</translation>
    </message>
    <message>
        <source>%1 - rows not imported.xlsx</source>
        <translation>%1 - 未导入的行.xlsx</translation>
    </message>
    <message>
        <source>Save the rows not imported</source>
        <translation>保存未导入的行</translation>
    </message>
    <message>
        <source>Rows not imported saved: %1. Correct them there and import that file.</source>
        <translation>未导入的行已保存：%1。请在该文件中改正后再导入。</translation>
    </message>
    <message>
        <source>Import %1</source>
        <extracomment>``announce(module, None)``: the module&apos;s records changed</extracomment>
        <translation>导入%1</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value in the file</source>
        <translation>文件中的值</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Use these values and check again</source>
        <translation>按此对应并重新检查</translation>
    </message>
    <message>
        <source>1 value in the file is not among the choices. Choose what it means:</source>
        <translation>文件中有 1 个值不在可选值中，请选择它的对应项：</translation>
    </message>
    <message>
        <source>Likely matches preselected for you: %1, marked “(suggested)” and shaded. Check each one: where it is wrong, choose another entry or “(leave as an error)”.</source>
        <translation>已为您预选可能的对应项 %1 个，标有“（建议）”并加底色。请逐一核对：不对的请改选其他选项或“（不对应，作为错误）”。</translation>
    </message>
    <message>
        <source>%1 values in the file are not among the choices. Choose what each one means:</source>
        <translation>文件中有 %1 个值不在可选值中，请为每个值选择对应项：</translation>
    </message>
    <message>
        <source>(leave as an error)</source>
        <translation>（不对应，作为错误）</translation>
    </message>
    <message>
        <source>%1 (suggested)</source>
        <translation>%1（建议）</translation>
    </message>
    <message>
        <source>A likely match, preselected: check it</source>
        <translation>可能的对应项，已预选：请核对</translation>
    </message>
    <message>
        <source>Add to the dictionary</source>
        <translation>添加到数据字典</translation>
    </message>
</context>
</TS>
