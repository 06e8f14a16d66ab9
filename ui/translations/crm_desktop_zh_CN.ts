<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <location filename="../../crm_desktop/login.py" line="+148"/>
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
        <location line="+48"/>
        <source>This computer (embedded database)</source>
        <translation>本机（内置数据库）</translation>
    </message>
    <message>
        <location line="+30"/>
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
        <location line="+5"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Signed in.</source>
        <translation>登录成功。</translation>
    </message>
    <message>
        <location line="+24"/>
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
        <location line="+14"/>
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
        <location filename="../../crm_desktop/__main__.py" line="+129"/>
        <source>CRM Desktop</source>
        <translation>CRM 客户管理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in as %1 (%2).</source>
        <translation>已登录：%1（%2）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The main window is the next piece of work; CRM Desktop closes now.</source>
        <translation>主窗口尚在开发中，程序现在将关闭。</translation>
    </message>
</context>
</TS>
