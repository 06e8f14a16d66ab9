<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../crm_desktop/forms/conflict_dialog.py" line="+97"/>
        <source>Changed by someone else</source>
        <translation>记录已被他人修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose for each field which value to keep, then save. Nothing you typed is lost unless you choose Reload.</source>
        <translation>请逐项选择要保留的值，然后保存。除非选择“重新加载”，您输入的内容不会丢失。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your value</source>
        <translation>您的值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Their value</source>
        <translation>对方的值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(saved by %1 at %2)</source>
        <translation>（%1 于 %2 保存）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Theirs</source>
        <translation>对方的</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>&amp;Reload (discard mine)</source>
        <translation>重新加载，放弃我的修改(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Overwrite with mine</source>
        <translation>用我的值覆盖(&amp;O)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save &amp;chosen values</source>
        <translation>保存所选的值(&amp;C)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Back to the form</source>
        <translation>返回表单</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Discard your changes and show the saved record.</source>
        <translation>放弃您的修改，显示已保存的记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save every value of yours over theirs.</source>
        <translation>用您的全部值覆盖对方保存的值。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the values chosen in the Keep column.</source>
        <translation>保存“保留”列中选定的值。</translation>
    </message>
</context>
<context>
    <name>Customer360</name>
    <message>
        <location filename="../../crm_desktop/customer360/history.py" line="+20"/>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edited</source>
        <translation>修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deactivated</source>
        <translation>设为失效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reactivated</source>
        <translation>恢复有效</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shared</source>
        <translation>共享</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sharing ended</source>
        <translation>取消共享</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Erased</source>
        <translation>个人信息已删除</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+10"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>From</source>
        <translation>原状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>To</source>
        <translation>新状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+9"/>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+55"/>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Status changes</source>
        <translation>客户状态变更记录</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Changes</source>
        <translation>变更内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operation log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/customer360/license_delegate.py" line="+66"/>
        <source>%1 of %2 seats in use</source>
        <translation>已使用 %1 个授权，共购买 %2 个</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This license has expired</source>
        <translation>该授权已过期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This license expires within 30 days</source>
        <translation>该授权将在 30 天内到期</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/customer360/view.py" line="+43"/>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Contracts</source>
        <translation>合同</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Products</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Licenses</source>
        <translation>产品授权</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Feedback</source>
        <translation>客户反馈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow-ups</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Needs</source>
        <translation>客户需求</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opportunities</source>
        <translation>销售机会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Customer 360°</source>
        <translation>客户全景视图</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the customer&apos;s form</source>
        <translation>打开客户资料表单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change &amp;status…</source>
        <translation>更改状态(&amp;S)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Contracts total</source>
        <translation>合同总额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation>已回款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outstanding</source>
        <translation>未回款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seats used / bought</source>
        <translation>授权 已用 / 购买</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open tickets</source>
        <translation>未结反馈</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Licenses: seats show as used / bought; red: expired; amber: expires within 30 days.</source>
        <translation>授权个数显示为“已用 / 购买”；红色：已过期；黄色：30 天内到期。</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Customer 360° — %1</source>
        <translation>客户全景视图 — %1</translation>
    </message>
</context>
<context>
    <name>Editors</name>
    <message>
        <location filename="../../crm_desktop/forms/editors.py" line="+148"/>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日，如 2026-11-22</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pick a date</source>
        <translation>选择日期</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>YYYY-MM-DD HH:MM</source>
        <translation>年-月-日 时:分</translation>
    </message>
    <message>
        <location line="+128"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../crm_desktop/errors.py" line="+73"/>
        <source>Please check your input</source>
        <translation>请检查输入内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not allowed</source>
        <translation>无权操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Changed by someone else</source>
        <translation>记录已被他人修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Still in use</source>
        <translation>仍在使用中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record deactivated</source>
        <translation>记录已失效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database unavailable</source>
        <translation>数据库不可用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database version mismatch</source>
        <translation>数据库版本不匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Configuration error</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Please correct the following:</source>
        <translation>请修改以下内容：</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong inside CRM Desktop. What you typed is still there; you can keep working, but please tell your administrator.</source>
        <translation>CRM 客户管理程序内部出错。已输入的内容仍然保留，您可以继续工作，但请告知管理员。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A report was saved to:
%1</source>
        <translation>错误报告已保存到：
%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The report could not be saved.</source>
        <translation>错误报告无法保存。</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <location filename="../../crm_desktop/first_run.py" line="+50"/>
        <source>Welcome to CRM Desktop</source>
        <translation>欢迎使用 CRM 客户管理</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This database has no user yet. Create the administrator account; the administrator then adds the other users.</source>
        <translation>该数据库还没有任何用户。请先创建管理员账户，再由管理员添加其他用户。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Login name:</source>
        <translation>登录名(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Full name:</source>
        <translation>姓名(&amp;F)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P&amp;hone:</source>
        <translation>电话(&amp;H)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password (&amp;again):</source>
        <translation>确认密码(&amp;A)：</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>at least 8 characters, letters and digits</source>
        <translation>至少 8 个字符，须包含字母和数字</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Create administrator</source>
        <translation>创建管理员(&amp;C)</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Creating the administrator…</source>
        <translation>正在创建管理员…</translation>
    </message>
</context>
<context>
    <name>GridTools</name>
    <message>
        <location filename="../../crm_desktop/grid/bulk_actions.py" line="+84"/>
        <source>Bulk actions</source>
        <translation>批量操作</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Act on the selected rows</source>
        <translation>对选中的行执行操作</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Assign owner…</source>
        <translation>分配跟进人…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Change status…</source>
        <translation>更改状态…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Deactivate…</source>
        <translation>设为失效…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>No rows selected</source>
        <translation>未选中任何行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select one or more rows first.</source>
        <translation>请先选中一行或多行。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Assign %1 records</source>
        <translation>分配 %1 条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New owner:</source>
        <translation>新跟进人：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Change the status of %1 records</source>
        <translation>更改 %1 条记录的状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New status:</source>
        <translation>新状态：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Deactivate %1 records</source>
        <translation>将 %1 条记录设为失效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>失效原因：</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Delete “%1”?</source>
        <translation>删除“%1”？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete %1 records?</source>
        <translation>删除 %1 条记录？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This cannot be undone.</source>
        <translation>删除后无法恢复。</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Nothing was changed:</source>
        <translation>未做任何修改：</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 of %2 records could not be changed:</source>
        <translation>%2 条记录中有 %1 条未能修改：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Some records were not changed</source>
        <translation>部分记录未修改</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/grid/columns.py" line="+94"/>
        <source>Columns shown:</source>
        <translation>显示的列：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Default columns</source>
        <translation>恢复默认列</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/grid/filter_bar.py" line="+77"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 from</source>
        <translation>%1 从</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/grid/grid_view.py" line="+144"/>
        <location line="+160"/>
        <source>Filters</source>
        <translation>筛选</translation>
    </message>
</context>
<context>
    <name>Login</name>
    <message>
        <location filename="../../crm_desktop/login.py" line="+149"/>
        <source>CRM Desktop – Sign in</source>
        <translation>CRM 客户管理 – 登录</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Checking the system keyring…</source>
        <translation>正在检查系统钥匙串…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>This computer (embedded database)</source>
        <translation>本机（内置数据库）</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The password is kept in the system keyring, never in a file.</source>
        <translation>密码保存在系统钥匙串中，不会写入任何文件。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No system keyring is available on this computer (for example GNOME Keyring, KWallet or the Windows Credential Manager), so the password cannot be remembered safely.</source>
        <translation>本机没有可用的系统钥匙串（如 GNOME 密钥环、KWallet 或 Windows 凭据管理器），无法安全地记住密码。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>The administrator account was created. Sign in with its password.</source>
        <translation>管理员账户已创建，请输入密码登录。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Please enter your login name.</source>
        <translation>请输入登录名。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Please enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Signed in.</source>
        <translation>登录成功。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Cannot reach the database server. Check the network connection and the server address, or ask your administrator.</source>
        <translation>无法连接数据库服务器。请检查网络连接和服务器地址，或联系管理员。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Too many failed sign-ins. Try again in %1 s.</source>
        <translation>登录失败次数过多，请 %1 秒后再试。</translation>
    </message>
    <message>
        <location filename="../login.ui" line="+16"/>
        <source>Sign in to CRM Desktop</source>
        <translation>登录 CRM 客户管理</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Connect to:</source>
        <translation>连接到(&amp;C)：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Server &amp;address:</source>
        <translation>服务器地址(&amp;A)：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Database &amp;name:</source>
        <translation>数据库名(&amp;N)：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Login name:</source>
        <translation>登录名(&amp;L)：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Remember my password on this computer</source>
        <translation>在本机记住密码(&amp;R)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../crm_desktop/main_window.py" line="+64"/>
        <source>CRM Desktop — %1</source>
        <translation>CRM 客户管理 — %1</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit</source>
        <translation>退出程序(&amp;Q)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About CRM Desktop</source>
        <translation>关于 CRM 客户管理(&amp;A)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Open next steps of your follow-ups due today or earlier</source>
        <translation>打开今天及之前到期、尚未完成的跟进计划</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record forms are not available in this version yet.</source>
        <translation>此版本尚不能打开记录表单。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>About CRM Desktop</source>
        <translation>关于 CRM 客户管理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CRM Desktop — customers, contracts, service and sales follow-up for the office.</source>
        <translation>CRM 客户管理 —— 客户、合同、售后服务与销售跟进的办公软件。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Due today: %1</source>
        <translation>今日待办 %1</translation>
    </message>
</context>
<context>
    <name>ModulePage</name>
    <message>
        <location filename="../../crm_desktop/grid/grid_view.py" line="-179"/>
        <source>Show deactivated</source>
        <extracomment>``open_form(module, record_id_or_None[, defaults=dict])``</extracomment>
        <translation>显示已失效</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+111"/>
        <source>Search %1…</source>
        <translation>搜索 %1…</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>1 record</source>
        <translation>共 1 条</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 records</source>
        <translation>共 %1 条</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <location filename="../../crm_desktop/panels/attachments.py" line="+53"/>
        <source>Attach a file</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save attachment as</source>
        <translation>附件另存为</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uploaded</source>
        <translation>上传时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attach a file (at most 20 MB)</source>
        <translation>添加附件（最大 20 MB）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open file</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a copy of the file with its program</source>
        <translation>用关联的程序打开文件副本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&lt;b&gt;Attachments&lt;/b&gt;</source>
        <translation>&lt;b&gt;合同附件&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Attached %1.</source>
        <translation>已添加附件 %1。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved to %1.</source>
        <translation>已保存到 %1。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Remove attachment</source>
        <translation>删除附件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove %1 from the contract? This cannot be undone.</source>
        <translation>确定从合同中删除 %1 吗？删除后无法恢复。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/panels/base.py" line="+143"/>
        <source>Someone else changed this record meanwhile; it has been reloaded. Please try again.</source>
        <translation>其他人刚刚修改了这条记录，已重新加载，请再操作一次。</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/panels/licenses.py" line="+35"/>
        <source>Machine</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fingerprint</source>
        <translation>机器指纹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In use since</source>
        <translation>启用时间</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Computer name</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Machine fingerprint</source>
        <translation>机器指纹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add machine</source>
        <translation>添加电脑</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Release</source>
        <translation>释放授权</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Free the seat of the selected machine</source>
        <translation>释放所选电脑占用的授权</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&lt;b&gt;Machines using this license&lt;/b&gt;</source>
        <translation>&lt;b&gt;使用该授权的电脑&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Seats used: %1 / %2</source>
        <translation>已用授权：%1 / %2</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/panels/tickets.py" line="+54"/>
        <source>Queued</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>发送失败</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Processing steps</source>
        <translation>处理操作</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Assign engineer</source>
        <translation>指派工程师</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What was done, e.g. called the customer</source>
        <translation>处理了什么，例如：已电话联系客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add log entry</source>
        <translation>添加处理过程</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How the problem was solved (required)</source>
        <translation>问题是如何解决的（必填）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolve</source>
        <translation>标记已解决</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not rated</source>
        <translation>未评价</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close ticket</source>
        <translation>关闭反馈</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why the ticket is reopened (required)</source>
        <translation>重新打开的原因（必填）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Engineer:</source>
        <translation>工程师：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log entry:</source>
        <translation>处理过程：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result:</source>
        <translation>处理结果：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Satisfaction:</source>
        <translation>满意度：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+3"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>By</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step</source>
        <translation>处理过程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recipient</source>
        <translation>收件人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&lt;b&gt;Processing log&lt;/b&gt;</source>
        <translation>&lt;b&gt;处理过程&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;b&gt;Notices to the submitter&lt;/b&gt;</source>
        <translation>&lt;b&gt;通知反馈人员&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>very satisfied</source>
        <translation>非常满意</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>neutral</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>very dissatisfied</source>
        <translation>非常不满意</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Choose an engineer first.</source>
        <translation>请先选择工程师。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In progress</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nobody yet</source>
        <translation>未指派</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status: %1 · Engineer: %2</source>
        <translation>状态：%1 · 工程师：%2</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>The list of engineers could not be loaded.</source>
        <translation>无法加载工程师列表。</translation>
    </message>
</context>
<context>
    <name>RecordForm</name>
    <message>
        <location filename="../../crm_desktop/forms/record_form.py" line="+109"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Filled in by the system</source>
        <translation>由系统自动生成</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New %1</source>
        <translation>新建%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close the form and discard your changes?</source>
        <translation>关闭表单并放弃您的修改吗？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Discard changes</source>
        <translation>放弃修改(&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keep editing</source>
        <translation>继续编辑(&amp;K)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Hidden for your role: only part of the value is shown, and it cannot be changed here.</source>
        <translation>您的角色无权查看完整内容：仅显示部分，且不能在此修改。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>This record is deactivated and read-only. Reason: %1</source>
        <translation>该记录已失效，只读。原因：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(none given)</source>
        <translation>（未填写）</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Someone deactivated this record meanwhile; your changes cannot be saved.</source>
        <translation>该记录刚被他人设为失效，您的修改无法保存。</translation>
    </message>
</context>
<context>
    <name>RefPicker</name>
    <message>
        <location filename="../../crm_desktop/forms/ref_picker.py" line="+60"/>
        <source>Type to search…</source>
        <translation>输入以搜索…</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../crm_desktop/settings/account_tab.py" line="+44"/>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Current password</source>
        <translation>原密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="+151"/>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="+1"/>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="-35"/>
        <location line="+36"/>
        <source>At least 8 characters, letters and digits</source>
        <translation>至少 8 个字符，需同时包含字母和数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Change password</source>
        <translation>修改密码(&amp;C)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The new language applies the next time you start CRM Desktop.</source>
        <translation>新的界面语言将在下次启动 CRM Desktop 时生效。</translation>
    </message>
    <message>
        <location line="+30"/>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="-93"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Your password was changed.</source>
        <translation>您的密码已修改。</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/dialog.py" line="+48"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data dictionary</source>
        <translation>数据字典</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>My account</source>
        <translation>我的账户</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/dictionary_tab.py" line="+34"/>
        <source>&amp;Category:</source>
        <translation>类别(&amp;C)：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;New entry…</source>
        <translation>新增字典项(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/fields.py" line="+30"/>
        <source>The two passwords do not match</source>
        <translation>两次输入的密码不一致</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/list_tab.py" line="+61"/>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Deactivate…</source>
        <translation>停用(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;activate</source>
        <translation>重新启用(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>De&amp;lete…</source>
        <translation>删除(&amp;L)…</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="-21"/>
        <location line="+3"/>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Why is “%1” deactivated?</source>
        <translation>停用“%1”的原因：</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+30"/>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="-24"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+5"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Delete “%1” for good? This cannot be undone.</source>
        <translation>确定永久删除“%1”吗？此操作不能撤销。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>“%1” was deleted.</source>
        <translation>“%1”已删除。</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/user_dialogs.py" line="-4"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>New user</source>
        <translation>新增用户</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Reset password of %1</source>
        <translation>重置 %1 的密码</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/users_tab.py" line="+35"/>
        <source>&amp;New user…</source>
        <translation>新增用户(&amp;N)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reset password…</source>
        <translation>重置密码(&amp;R)…</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>User “%1” was created.</source>
        <translation>用户“%1”已创建。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The password of %1 was reset.</source>
        <translation>%1 的密码已重置。</translation>
    </message>
    <message>
        <location filename="../../crm_desktop/settings/custom_fields_tab.py" line="+29"/>
        <source>&amp;New field…</source>
        <translation>新增字段(&amp;N)…</translation>
    </message>
</context>
<context>
    <name>StatusDialog</name>
    <message>
        <location filename="../../crm_desktop/customer360/status_dialog.py" line="+48"/>
        <source>Change customer status</source>
        <translation>更改客户状态</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Number of one of this customer&apos;s contracts</source>
        <translation>该客户的一份合同的编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Why the status changes (optional)</source>
        <translation>状态变更的原因（选填）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Current status</source>
        <translation>当前状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New status</source>
        <translation>新状态(&amp;N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>N&amp;ote</source>
        <translation>备注(&amp;O)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Change status</source>
        <translation>更改状态(&amp;C)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No status change is possible from here.</source>
        <translation>当前状态不能再变更。</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Someone else changed this customer meanwhile. Close this dialog; the view shows the current data, then try again.</source>
        <translation>该客户已被他人修改。请关闭此对话框，查看最新数据后重试。</translation>
    </message>
</context>
</TS>
