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
    <name>Main</name>
    <message>
        <source>CRM Desktop</source>
        <translation type="vanished">CRM 客户管理</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2).</source>
        <translation type="vanished">已登录：%1（%2）。</translation>
    </message>
    <message>
        <source>The main window is the next piece of work; CRM Desktop closes now.</source>
        <translation type="vanished">主窗口尚在开发中，程序现在将关闭。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../crm_desktop/main_window.py" line="+62"/>
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
        <location line="+36"/>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record forms are not available in this version yet.</source>
        <translation>此版本尚不能打开记录表单。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>About CRM Desktop</source>
        <translation>关于 CRM 客户管理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CRM Desktop — customers, contracts, service and sales follow-up for the office.</source>
        <translation>CRM 客户管理 —— 客户、合同、售后服务与销售跟进的办公软件。</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Due today: %1</source>
        <translation>今日待办 %1</translation>
    </message>
</context>
<context>
    <name>ModulePage</name>
    <message>
        <location filename="../../crm_desktop/grid/grid_view.py" line="+70"/>
        <source>Show deactivated</source>
        <translation>显示已失效</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Search %1…</source>
        <translation>搜索 %1…</translation>
    </message>
    <message>
        <location line="+51"/>
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
    <name>RecordForm</name>
    <message>
        <location filename="../../crm_desktop/forms/record_form.py" line="+108"/>
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
</TS>
